"""Tables mapped to records by their headers, not their positions.

Owns: recognising the blocks of the 基础数据表 (财政供养人员 headcounts; 经费控制情况 with
its year columns) and of the 绩效自评表 (预算部门; the 年初预算数/全年预算数/全年执行数/
分值/执行率/得分 block; income and expenditure by nature; the indicator rows and the
总分 row), tolerant of other provinces' column names, of shifted columns in exported
tables, of merged 一级/二级 cells (filled down, or up when the merged text stands below
its first row) and of tables continued across pages. Money columns (预算数, 支出数, 执行率 …)
and the project-table name column are the lexicon's words (lexicon/tables.toml); a 收支
row named by a budget field's label takes the final column; the unit comes from a caption
or title row (单位：元, …表（元）). A 三公 table with its items as columns goes to
three_public_table.py; 增减额/增减率 columns beside the money ones are the 三公 change.
Money tables written as text lines that ingest made no ``Table`` of come from
flat_money.py (what a row label names: money_rows.py); where a report has no 自评表
grid, flat_indicators.py reads one flattened into text lines. Proposes ``Candidate``s and
records; never resolves.
Must not read prose (prose.py does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from service.document import Cell, Table
from service.extract.flat_indicators import flat_indicators
from service.extract.flat_items_glued import glued_items_blocks
from service.extract.flat_money import (
    FlatBlock,
    GluedBlock,
    flat_money_blocks,
    flat_roles,
    glued_blocks,
    initial_as_budget,
    unglue_cells,
    yuan_by_size,
)
from service.extract.form_lines import FormLines
from service.extract.ground import Grounder
from service.extract.indicators import (
    IndicatorHeader,
    IndicatorParser,
    find_indicator_header,
    is_total_row,
    total_in_label,
)
from service.extract.money_columns import (
    CHANGE,
    YEAR_COL,
    is_three_public_block,
    money_columns,
    money_header,
    names_projects,
    project_name_col,
    row_label,
)
from service.extract.money_items_columns import (
    item_column_needs,
    names_item_column,
    row_roles,
)
from service.extract.money_items_columns import item_columns as money_item_columns
from service.extract.money_rows import (
    BARE_TOTAL,
    LINE_LABEL_PREFIX,
    is_money_label,
    lexicon_row,
    line_field,
)
from service.extract.resolve import Candidate
from service.extract.share_tables import header_sides, share_table_candidates
from service.extract.staffing_table import staffing_form_candidates
from service.extract.table_headers import cell_quantity, covering, money_unit, squeeze
from service.extract.three_public_rows import (
    read_items_as_rows,
    three_public_line_candidates,
)
from service.extract.three_public_table import (
    item_columns,
    read_items_as_columns,
)
from service.records import BudgetLine, Indicator, Project, Value
from service.records.numbers import Quantity, is_blank, parse_quantity

_BUDGET_BLOCK = {
    "budget.initial_budget": re.compile(r"年初预算数?"),
    "budget.full_year_budget": re.compile(r"全年预算数?|调整后预算"),
    "budget.full_year_execution": re.compile(r"全年执行数?|实际执行数?"),
    "budget.execution_weight": re.compile(r"^分值$|^权重$"),
    "budget.execution_rate": re.compile(r"^执行率$|预算执行率"),
    "budget.execution_score": re.compile(r"^得分$"),
}
_BY_NATURE = [
    (path, re.compile(rf"(?:其中\s*[:：]?\s*)?{label}\s*[:：,，]?\s*(?P<num>[-\d.,]*)\s*$"))
    for path, label in [
        ("budget.income_general_budget", r"一般公共预算(?:拨款|财政拨款)?"),
        ("budget.income_government_funds", r"政府性基金(?:拨款|预算)?"),
        ("budget.income_non_tax", r"纳入专户管理的非税收入(?:拨款)?"),
        ("budget.income_other", r"其他资金|其他收入"),
        ("budget.basic_expenditure", r"基本支出"),
        ("budget.project_expenditure", r"项目支出"),
    ]
]
_DEPARTMENT_ROW = re.compile(r"^(?:预算部门|部门\(单位\)名称|部门名称|单位名称)")
_NUMBERED = re.compile(r"^\s*(?:其中\s*[:：]?)?\s*\d{1,2}\s*[、.]")
# Rows that end a 项目支出 block's project rows: the next heads of the accounts, and a
# total row (合计, 总计, 小计: the table's sum or the block's, never a project of its own).
_PROJECT_END = re.compile(
    r"三公|公用经费|人员经费|基本支出|政府采购|楼堂馆所|厉行节约|支出总额|^(?:合计|总计|小计|共计)"
)


@dataclass
class TableOutput:
    candidates: list[Candidate] = field(default_factory=list)
    lines: list[BudgetLine] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)


def _rows(table: Table) -> list[list[Cell | None]]:
    rows: list[list[Cell | None]] = [[None] * table.n_cols for _ in range(table.n_rows)]
    for cell in table.cells:
        rows[cell.row][cell.col] = cell
    return rows


def _text(cell: Cell | None) -> str:
    return "" if cell is None else squeeze(cell.text)


# Between two parts of one 自评表 stand at most a page's footer and header and 续表; a
# sentence, a caption of another table or its unit line means the report went on.
_NEW_TABLE_LINE = re.compile(r"[。；;]$|^.{41,}$|(?<!续)表(?!\d*[（(]?续)|单位[:：]")


class TableMapper:
    def __init__(self, g: Grounder) -> None:
        self.g = g
        self.out = TableOutput()
        self._indicators: IndicatorParser | None = None
        self._self_eval_end = 0  # where the 自评表's last part ends in the text
        self.unit = "万元"  # the money unit of the table being read
        # The money table that ran to the end of the previous table (page): its columns
        # and whether it was inside the 项目支出 rows.
        self._open_money: tuple[dict[int, str], bool] | None = None

    def run(self, tables: list[Table]) -> TableOutput:
        for table in tables:
            self._table(unglue_cells(self.g.doc.text, table))
        form = FormLines(self.g.doc)  # the text lines cut into cells once for the three
        # Headcounts in forms and tables of any layout (编制数 | 52 | 实有人数 | 48 …).
        self.out.candidates += staffing_form_candidates(self.g, tables, form)
        # 三公 tables with the items as rows among text lines (nil as 无, stacked headers).
        self.out.candidates += three_public_line_candidates(self.g, form)
        self.out.candidates += share_table_candidates(self.g, tables, form)  # 金额 | 占比
        self._text_lines()
        if self._indicators is not None:
            self.out.indicators = self._indicators.finish()
        else:  # no 自评表 grid: perhaps one flattened into glued text lines
            flat = flat_indicators(self.g, self.g.doc.lines)
            self.out.indicators = flat.indicators
            if flat.total_score is not None:
                self.out.candidates.append(
                    Candidate("report.total_score", flat.total_score, "table")
                )
        return self.out

    def _text_lines(self) -> None:
        """Money and 三公 tables among the text lines ingest made no ``Table`` of: glued
        ones first (their lines taken), then those parted by spaces."""
        across = names_item_column  # item columns
        items = glued_items_blocks(self.g, self.g.doc.lines, across, item_column_needs())
        taken = set().union(*(b.taken for b in items))
        for block in items:
            self._table(block.table)
        lines = [line for line in self.g.doc.lines if line.span.start not in taken]
        glued = glued_blocks(self.g, lines, money_columns)
        taken |= set().union(*(b.taken for b in glued))
        for glued_block in glued:
            self._glued_block(glued_block)
        lines = [line for line in lines if line.span.start not in taken]
        for block in flat_money_blocks(self.g, lines, is_money_label, across):
            if block.items_as_columns:
                self._table(block.table)
            else:
                self._flat_block(block)

    def _add(self, path: str, value: Value | None) -> None:
        if value is not None:
            self.out.candidates.append(Candidate(path, value, "table"))

    def _number(
        self, cell: Cell | None, locator: str, default_unit: str | None = None, nil: bool = False
    ) -> Value | None:
        """The cell's figure; with ``nil``, a mark for none (无, —) in a money column is 0
        (a 三公 item not spent)."""
        if cell is None:
            return None
        q = cell_quantity(cell.text, default_unit=default_unit)
        if (
            q is None
            and nil
            and default_unit not in (None, "%")
            and cell.text.strip()
            and is_blank(cell.text)
        ):
            q = Quantity(value=0, unit=default_unit, start=0, end=len(cell.text.rstrip()))
        if q is None:
            return None
        return self.g.quantity(q, cell.span.start, locator)

    # --- one table ---------------------------------------------------------------------

    def _table(self, table: Table) -> None:
        rows = _rows(table)
        loc = f"table:{table.index}"
        previous_unit = self.unit
        own_unit = money_unit(self.g.doc.text, table, rows)
        own_unit = own_unit or yuan_by_size(c.text for c in table.cells)
        self.unit = own_unit or "万元"
        grid = covering(rows)  # once: every row below is tried as a header
        header = find_indicator_header(rows, grid)
        continued = self._open_money
        self._open_money = None
        # A table continued from the previous page: no header of its own.
        if (
            header is None
            and not self._has_blocks(rows)
            and self._continuation(table, rows, loc, continued, own_unit or previous_unit)
        ):
            return
        i = 0
        while i < len(rows):
            texts = [_text(c) for c in rows[i]]
            joined = "".join(texts)
            if header is not None and i == header.row:
                if not self._continues_indicators(header):
                    self._indicators = IndicatorParser(self.g, header)
                assert self._indicators is not None
                self._indicators.feed(rows[i + 1 :], loc)
                self._self_eval_end = table.span.end
                self._indicators.stop_at_total = True
                self._total(rows[i + 1 :], loc)
                return
            if (end := self._items_across(rows, i, loc, grid)) is not None:
                i = end
                continue
            roles, head = money_header(rows, i, texts, grid)
            tp_rows = read_items_as_rows(
                self.g, rows, i, self.unit, loc, alone=bool(roles), grid=grid
            )
            if tp_rows is not None:  # a 三公 table with its items as rows
                self.out.candidates += tp_rows.candidates
                self.out.lines += tp_rows.lines
                i = tp_rows.end
                continue
            if any(t == "编制数" or t.endswith("编制数") for t in texts):
                self._staffing(rows, i, loc)
            elif (
                roles
                and (name_col := project_name_col(texts)) is not None
                and names_projects(texts)
            ):
                # the name column is the header's first row's (merged down a two-row one)
                i = self._project_table(rows, head, roles, loc, name_col)
                continue
            elif roles:
                i = self._money_block(rows, head, roles, loc)
                continue
            elif ("全年" in joined or "年初" in joined) and any(
                rx.search(t) for t in texts for rx in _BUDGET_BLOCK.values()
            ):
                self._budget_block(rows, i, loc)
            elif _DEPARTMENT_ROW.match(texts[0] or joined):
                self._department(rows[i], loc)
            self._by_nature(rows[i], loc)
            i += 1

    def _flat_block(self, block: FlatBlock) -> None:
        """A money table written as text lines (flat_money.py): its header words name the
        columns, else the count of figures does; the caption's unit, else 万元."""
        rows = _rows(block.table)
        words = block.header or []
        if header_sides(words):
            return  # 项目 | 金额 | 占比: share_tables.py's, the share no money
        # 项目 | 本年 | 上年 …, or the figure columns alone; columns left blank in every row
        # (增减率 not stated) take nothing.
        roles = money_columns(words) or money_columns(["", *words])
        roles = {c: r for c, r in roles.items() if c < block.table.n_cols}
        roles = roles or flat_roles([_text(c) for c in rows[0][1:]])
        if roles:
            self.unit = block.unit or "万元"
            self._money_block(rows, -1, roles, "flat:收支表")
            self._open_money = None

    def _glued_block(self, block: GluedBlock) -> None:
        """A project or money table whose cells are glued (flat_money.py): project rows
        become projects, rows the budget lexicon names (基本支出, 支出合计 …) budget lines."""
        rows = _rows(block.table)
        roles = money_columns(block.words)
        if not roles:
            return
        self.unit = block.unit or "万元"
        loc = "flat:项目表"
        if names_projects(block.words):
            budget = [r for r in rows[1:] if is_money_label(_text(r[0]))]
            others = [r for r in rows[1:] if not is_money_label(_text(r[0]))]
            if others:  # a project's only plan column (年初预算) is its budget
                plan = roles if "budget" in roles.values() else initial_as_budget(roles)
                self._project_table([rows[0], *others], 0, plan, loc)
            if budget:
                self._money_block([rows[0], *budget], 0, roles, loc)
        else:
            self._money_block(rows, 0, roles, loc)
        self._open_money = None

    def _continuation(
        self,
        table: Table,
        rows: list[list[Cell | None]],
        loc: str,
        continued: tuple[dict[int, str], bool] | None,
        unit: str,
    ) -> bool:
        """Read a headerless table as the rest of the money table or 自评表 left open."""
        if continued is not None and self._continues_money(rows, continued[0]):
            self.unit = unit
            self._money_block(rows, -1, continued[0], loc, in_projects=continued[1])
            return True
        if self._indicators is not None and self._continues_self_eval(table):
            self._indicators.feed(rows, loc)
            self._total(rows, loc)  # the 总分 row may stand on the continued part
            self._self_eval_end = table.span.end
            return True
        return False

    def _continues_self_eval(self, table: Table) -> bool:
        """A headerless table goes on with the open 自评表 only while that has not reached its
        total row and nothing but a short line (续表, a page number) stands between them: a
        自评表 placed before the report's own tables must not take them as its rows."""
        if self._indicators is None or self._indicators.done:
            return False
        gap = self.g.doc.text[self._self_eval_end : table.span.start]
        lines = [line.strip() for line in gap.splitlines() if line.strip()]
        return len(lines) <= 3 and not any(_NEW_TABLE_LINE.search(line) for line in lines)

    def _continues_indicators(self, header: IndicatorHeader) -> bool:
        """A 自评表 continued on the next page under its header repeated: the same columns
        as the open one, which has not reached its total row (read as one table, so merged
        一级/二级 cells fill down across the break)."""
        open_ = self._indicators
        return open_ is not None and not open_.done and open_.h == header.cols

    def _has_blocks(self, rows: list[list[Cell | None]]) -> bool:
        return any(
            "编制数" in _text(c) or YEAR_COL.search(_text(c)) or "年初预算" in _text(c)
            for row in rows
            for c in row
        )

    # --- 基础数据表 -----------------------------------------------------------------------

    def _staffing(self, rows: list[list[Cell | None]], i: int, loc: str) -> None:
        # The counts beside the rate are staffing_table.py's (any layout, the 合计 row).
        roles = {"控制率": "staffing.control_rate"}
        cols: dict[int, str] = {}
        for col, cell in enumerate(rows[i]):
            t = _text(cell)
            for key, path in roles.items():
                if t.endswith(key):
                    cols[col] = path
        for row in rows[i + 1 : i + 3]:
            values = {col: self._number(row[col], loc) for col in cols}
            if not any(values.values()):
                continue
            for col, v in values.items():
                if v is not None and cols[col] != "staffing.control_rate" and v.unit is None:
                    v = v.model_copy(update={"unit": "人"})
                self._add(cols[col], v)
            return

    def _continues_money(self, rows: list[list[Cell | None]], roles: dict[int, str]) -> bool:
        """Its first row reads as a line of the money table left open on the previous page:
        a label before the money columns and a number in one of them."""
        if not rows:
            return False
        first = rows[0]
        if not any(_text(c) for c in first[: min(roles)]):
            return False
        return any(
            col < len(first) and first[col] is not None and cell_quantity(first[col].text)
            for col in roles
        )

    def _money_block(
        self,
        rows: list[list[Cell | None]],
        i: int,
        roles: dict[int, str],
        loc: str,
        in_projects: bool = False,
    ) -> int:
        j = i + 1
        three_public = is_three_public_block(rows[j:], min(roles))
        while j < len(rows):
            row = rows[j]
            label_cell = row_label(row, min(roles))  # a 序号 before it passed over
            values = {
                role: self._number(row[col], loc, self._unit_of(role), nil=three_public)
                for col, role in roles.items()
            }
            label = _text(label_cell)
            if label_cell is None or (not any(values.values()) and _is_header_row(row)):
                break
            name = self.g.text(label_cell.span.start, label_cell.span.end, loc)
            if name is None:
                j += 1
                continue
            line = BudgetLine(
                item=name, **{k: v for k, v in values.items() if v is not None and k not in CHANGE}
            )
            self.out.lines.append(line)
            key = LINE_LABEL_PREFIX.sub("", label).rstrip(":：")
            self._label_candidates(key, values, three_public)
            if key == "项目支出":
                in_projects = True
            elif in_projects and _PROJECT_END.search(key):
                in_projects = False
            elif (
                in_projects
                and not _NUMBERED.match(label)
                and (values.get("final") or values.get("budget"))
            ):
                self.out.projects.append(
                    Project(
                        name=self._name_after_prefix(label_cell, loc) or name,
                        amount=values.get("final"),
                        budget=values.get("budget"),
                        previous=values.get("previous_final"),
                    )
                )
            j += 1
        if j >= len(rows):  # ran to the end of the table: it may go on on the next page
            self._open_money = (roles, in_projects)
        return j

    def _label_candidates(
        self, key: str, values: dict[str, Value | None], three_public: bool = False
    ) -> None:
        """The fields a money line named ``key`` (its label without lead-in) gives."""
        kind_path = line_field(key)
        if three_public and BARE_TOTAL.match(key):
            kind_path = ("tp", "total")  # the 合计 of a 三公 table is the 三公 total
        if kind_path:
            self._line_candidates(kind_path, values)
        elif (path := lexicon_row(key)) is not None:
            # A 收支 row named as the lexicon names the field: the final column is the
            # figure (预算数 beside it is the budget, not the income).
            self._add(path, values.get("final"))

    def _items_across(
        self,
        rows: list[list[Cell | None]],
        i: int,
        loc: str,
        grid: list[list[Cell | None]] | None = None,
    ) -> int | None:
        """A money table with its items across the header (支出合计 | 基本支出 | …) and
        what each row holds down the side (预算数 / 决算数 / 上年决算数): a line per item
        column; where it ends, or None when row ``i`` heads no such table. The 三公 items
        (因公出国(境)费 | 公务接待费 …) are three_public_table.py's."""
        items = item_columns(rows, i, grid)
        if items:
            found, lines, end = read_items_as_columns(self.g, rows, i, items, self.unit, loc)
            self.out.candidates += found
            self.out.lines += lines
            return end
        cols = money_item_columns(rows, i)
        roles, end = row_roles(rows, i, cols) if cols else ({}, i)
        if not roles:
            return None
        for c, cell in cols.items():
            values = {
                role: self._number(
                    rows[r][c] if c < len(rows[r]) else None, loc, self._unit_of(role)
                )
                for r, role in roles.items()
            }
            name = self.g.text(cell.span.start, cell.span.end, loc)
            if name is None or not any(values.values()):
                continue
            figures = {k: v for k, v in values.items() if v is not None and k not in CHANGE}
            self.out.lines.append(BudgetLine(item=name, **figures))
            self._label_candidates(LINE_LABEL_PREFIX.sub("", _text(cell)).rstrip(":："), values)
        return end

    def _unit_of(self, role: str) -> str | None:
        """The unit a bare figure of a column is in: rates are percents, the rest money."""
        return "%" if role == "change_pct" else None if role == "execution_rate" else self.unit

    def _name_after_prefix(self, cell: Cell, loc: str) -> Value | None:
        """A row label without its “其中：” lead-in."""
        m = re.match(r"\s*(?:其中\s*[:：]\s*)?", cell.text)
        start = cell.span.start + (m.end() if m else 0)
        return self.g.text(start, cell.span.end, loc)

    def _project_table(
        self,
        rows: list[list[Cell | None]],
        i: int,
        roles: dict[int, str],
        loc: str,
        name_col: int | None = None,
    ) -> int:
        """序号 | 项目名称 | 预算数 | 执行数 | 执行率: one project per row; ``i`` is the
        header's last row."""
        if name_col is None:
            name_col = project_name_col([_text(c) for c in rows[i]])
        assert name_col is not None
        if "budget" not in roles.values():  # a project's only plan column (年初预算) is its budget
            roles = initial_as_budget(roles)
        j = i + 1
        while j < len(rows):
            row = rows[j]
            cell = row[name_col]
            label = _text(cell)
            if (
                cell is None
                or not label
                or _is_header_row(row)
                and not any(self._number(row[c], loc) for c in roles)
            ):
                break
            if _a_total(label):
                j += 1
                continue
            values = {
                role: self._number(row[col], loc, None if role == "execution_rate" else self.unit)
                for col, role in roles.items()
            }
            name = self.g.text(cell.span.start, cell.span.end, loc)
            if name is not None:
                self.out.projects.append(
                    Project(
                        name=name,
                        amount=values.get("final"),
                        budget=values.get("budget"),
                        previous=values.get("previous_final"),
                    )
                )
            j += 1
        return j

    def _line_candidates(self, kind_path: tuple[str, str], values: dict[str, Value | None]) -> None:
        kind, name = kind_path
        if kind == "budget":
            self._add(f"budget.{name}", values.get("final"))
            if name == "total_expenditure":
                # The total row's plan columns are the whole budget's.
                self._add("budget.initial_budget", values.get("initial_budget"))
                self._add("budget.full_year_budget", values.get("budget"))
                self._add("budget.execution_rate", values.get("execution_rate"))
        elif kind == "budget_final":
            self._add(f"budget.{name}", values.get("final"))
        else:
            self._add(f"three_public.{name}.actual", values.get("final"))
            self._add(f"three_public.{name}.budget", values.get("budget"))
            self._add(f"three_public.{name}.previous", values.get("previous_final"))
            self._add(f"three_public.{name}.change", values.get("change"))
            self._add(f"three_public.{name}.change_pct", values.get("change_pct"))

    # --- 绩效自评表 -----------------------------------------------------------------------

    def _department(self, row: list[Cell | None], loc: str) -> None:
        cells = [c for c in row if c is not None and _text(c)]
        if len(cells) >= 2:
            v = self.g.text(cells[1].span.start, cells[1].span.end, loc)
            if v is not None:
                self.out.candidates.append(Candidate("report.department", v, "table"))

    def _budget_block(self, rows: list[list[Cell | None]], i: int, loc: str) -> None:
        cols: dict[int, str] = {}
        for col, cell in enumerate(rows[i]):
            t = _text(cell)
            for path, rx in _BUDGET_BLOCK.items():
                if rx.search(t) and col not in cols:
                    cols[col] = path
        money = ("budget.initial_budget", "budget.full_year_budget", "budget.full_year_execution")
        for row in rows[i + 1 : i + 3]:
            values = {
                col: self._number(row[col], loc, self.unit if cols[col] in money else None)
                for col in cols
            }
            if sum(v is not None for v in values.values()) < 2:
                continue
            for col, v in values.items():
                if v is None:
                    continue
                path = cols[col]
                if path in ("budget.execution_weight", "budget.execution_score"):
                    v = v.model_copy(update={"unit": "分"})
                self._add(path, v)
            return

    def _by_nature(self, row: list[Cell | None], loc: str) -> None:
        cells = [c for c in row if c is not None and _text(c)]
        for k, cell in enumerate(cells):
            text = cell.text
            for path, rx in _BY_NATURE:
                m = rx.search(text)
                if not m or m.start() > 6:
                    continue
                if m.group("num"):
                    v = self._number_at(cell, m.start("num"), m.end("num"), loc)
                elif k + 1 < len(cells) and cell_quantity(cells[k + 1].text) is not None:
                    v = self._number(cells[k + 1], loc, self.unit)
                else:
                    v = None
                self._add(path, v)
                break

    def _number_at(self, cell: Cell, s: int, e: int, loc: str) -> Value | None:
        q = parse_quantity(cell.text[s:e], default_unit=self.unit)
        if q is None:
            return None
        return self.g.quantity(q, cell.span.start + s, loc)

    def _total(self, rows: list[list[Cell | None]], loc: str) -> None:
        """The 总分 row: the score in its label (“总分：92.5分”), else in the 得分 column,
        else its last figure."""
        for row in rows:
            if not is_total_row(row):
                continue
            score = self._total_score(row, loc)
            if score is not None:
                score = score.model_copy(update={"unit": "分"})
                self.out.candidates.append(Candidate("report.total_score", score, "table"))
            return

    def _total_score(self, row: list[Cell | None], loc: str) -> Value | None:
        label = total_in_label(row)
        if label is not None:
            m = re.search(r"\d+(?:\.\d+)?(?=\s*分?\s*$)", label.text)
            q = parse_quantity(m.group()) if m else None
            if m and q is not None:
                return self.g.quantity(q, label.span.start + m.start(), loc)
        col = self._indicators.h.get("score") if self._indicators is not None else None
        if col is not None and col < len(row) and col > 0:
            v = self._number(row[col], loc)
            if v is not None:
                return v
        numbers = [v for c in row[1:] if (v := self._number(c, loc)) is not None]
        return numbers[-1] if numbers else None


# A project table's total row: 合计, 项目支出合计, 合计（万元）, 共计 — no project.
_TOTAL_LABEL = re.compile(
    r"(?:(?:项目|专项)(?:支出|资金|经费)?)?(?:合计|总计|小计|共计|总额)(?:[(（][^()（）]*[)）])?"
)


def _a_total(label: str) -> bool:
    return _TOTAL_LABEL.fullmatch(squeeze(label)) is not None


def _is_header_row(row: list[Cell | None]) -> bool:
    texts = [_text(c) for c in row if c is not None and _text(c)]
    return len(texts) >= 2 and all(cell_quantity(t) is None and not is_blank(t) for t in texts)


def map_tables(g: Grounder, tables: list[Table]) -> TableOutput:
    return TableMapper(g).run(tables)
