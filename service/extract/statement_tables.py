"""Two-column tables of statements: a label and its figure per row (主要指标 | 数值, 项目 |
金额（万元）, 收入合计 | 520.00万元), as an annex restating the report's figures often gives.

Owns: reading such a row as the statement “label: figure” of the budget, staffing or 三公 field
the lexicon's labels name whole (the same words as in a sentence), so that an annex's
figure takes part in the vote and the consistency checks like any other statement. The
figure's unit is its own (520.00万元, 96.15%), else the one its label or the header gives
(金额（万元）, 执行率（%）), else 万元 for money (the templates' default). A figure in another
kind of unit than the field's (a count under a money label) is not read, nor a column whose
header or a caption that names another figure (预算数, 上年数, 2021年收支情况). Proposes
``Candidate``s; the money and 三公 tables of several columns are tables.py's.
"""

from __future__ import annotations

import re
from functools import cache

from service.document import Cell, Table
from service.extract.clauses import report_year
from service.extract.ground import Grounder
from service.extract.lexicon import FieldEntry, lexicon
from service.extract.money_rows import LINE_LABEL_PREFIX
from service.extract.resolve import Candidate
from service.extract.table_headers import money_unit, role_of, squeeze
from service.records.numbers import parse_quantity

# The unit a label or header cell names in brackets: 金额（万元）, 执行率(%), 人数（人）.
_UNIT_IN_BRACKETS = re.compile(
    r"[(（]\s*(?:单位\s*[:：]?\s*)?(万元|元|亿元|%|％|人|名)\s*[)）]\s*$"
)
_KIND_UNITS = {"money": ("万元",), "percent": ("%",), "count": ("人", "名")}


@cache
def _fields() -> tuple[tuple[FieldEntry, re.Pattern[str]], ...]:
    """Budget, staffing and 三公 (the year's actual) scalars a row's label may name whole."""
    out = []
    for prefix in ("budget.", "staffing.", "three_public."):
        for e in lexicon().fields(prefix):
            if e.is_list or e.kind not in _KIND_UNITS:
                continue
            if prefix == "three_public." and not e.path.endswith(".actual"):
                continue  # a 三公 item's budget, last year's figure, change: other columns
            pattern = "|".join(f"(?:{p})" for p in (e.row_label_pattern(), e.label_pattern()) if p)
            if pattern:
                out.append((e, re.compile(pattern)))
    return tuple(out)


def _key(label: str) -> tuple[str, str | None]:
    """The label without spaces, lead-in, colon and bracketed unit; and that unit."""
    text = squeeze(label)
    unit = _UNIT_IN_BRACKETS.search(text)
    text = text[: unit.start()] if unit else text
    return LINE_LABEL_PREFIX.sub("", text).rstrip(":："), unit.group(1) if unit else None


def _two_columns(table: Table) -> list[tuple[Cell, Cell]] | None:
    """The (label, figure) rows of a table whose cells stand in two columns."""
    rows: dict[int, dict[int, Cell]] = {}
    for c in table.cells:
        if c.text.strip():
            rows.setdefault(c.row, {})[c.col] = c
    cols = {col for row in rows.values() for col in row}
    if len(cols) != 2:
        return None
    first, second = sorted(cols)
    return [(r[first], r[second]) for _, r in sorted(rows.items()) if len(r) == 2]


def _caption_names_another(text: str, table: Table, year: int | None) -> bool:
    """Whether the line over the table says its figures are of another year or a plan
    (“2021年收支情况”, “上年主要指标”, “预算安排表”)."""
    before = text[max(0, table.span.start - 80) : table.span.start].rstrip()
    caption = before.rsplit("\n", 1)[-1]
    if re.search(r"上年|去年|上一年|预算|计划|目标|预计", caption):
        return True
    years = [int(y) for y in re.findall(r"(20\d{2})\s*年", caption)]
    return year is not None and any(y != year for y in years)


def statement_table_candidates(g: Grounder, tables: list[Table]) -> list[Candidate]:
    out: list[Candidate] = []
    year = report_year(g.doc.text)
    for table in tables:
        rows = _two_columns(table)
        if not rows or _caption_names_another(g.doc.text, table, year):
            continue
        header = rows[0][1].text if parse_quantity(rows[0][1].text) is None else ""
        if role_of(header, "budget.lines") not in (None, "final"):
            continue  # 项目 | 预算数: budget figures, not the statements of the year's
        table_unit = money_unit(g.doc.text, table, []) or _key(header)[1]
        for label, figure in rows:
            out += _row(g, table, label, figure, table_unit)
    return out


def _row(g: Grounder, table: Table, label: Cell, figure: Cell, unit: str | None) -> list[Candidate]:
    key, own_unit = _key(label.text)
    if not key or re.search(r"\d", key):
        return []
    for entry, rx in _fields():
        if not rx.fullmatch(key):
            continue
        allowed = _KIND_UNITS[entry.kind]
        default = own_unit or unit or ("万元" if entry.kind == "money" else None)
        q = parse_quantity(figure.text, default_unit=default if default in allowed else None)
        if q is None or q.unit not in allowed or not entry.in_range(q.value):
            return []
        value = g.quantity(q, figure.span.start, f"table:{table.index}")
        return [Candidate(entry.path, value, "table")]
    return []
