"""Which quantity a statement is of (口径): the label it stands under, its year, budget or
final, and whether it is a sub-quota of a longer name.

Owns: reading the cue words around a candidate's source (the clause before a figure in
prose; the row label and column header of a table cell) into a ``Basis``, and deciding
whether a basis fits an export path (``fit``) and whether two statements are of the same
quantity (``same_quantity``). Never reads a value: the readers did that. The field words
come from the lexicon; the cue words below are about time and stage, which every field
shares. Must not import the store, the API or an LLM client.

A reader that knows a statement's basis better (a table reader knows its column) may set
``Candidate.basis`` itself; ``annotate`` only fills candidates that have none.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Literal

from service.document import Cell, Document, Table
from service.extract.lexicon import lexicon

if TYPE_CHECKING:
    from service.extract.resolve import Candidate

Fit = Literal["same", "unknown", "other"]

# Prose: a clause ends at these; the sentence at the stronger ones.
_CLAUSE_END = "，,；;。\n、!?！？"
_SENTENCE_END = "；;。\n!?！？"
# Stage words. '预算' alone is also a fund (一般公共预算) or a process (预算执行, 预算单位).
_BUDGET = re.compile(
    r"年初|批复|(?<!公共)(?<!部门)(?<!基金)预算(?!执行|单位|编码|管理|绩效|收入支出|完成)"
)
_FINAL = re.compile(r"决算|实际|执行数|(?<!预算)执行(?!率)|完成|实现")
# Time words; a comparison (比上年 / 较2022年 / 与上年相比) names the base, not the figure.
_COMPARE_BEFORE = r"(?<![比较与同于])"
_PREVIOUS = re.compile(_COMPARE_BEFORE + r"(?:上年度?|去年|上一年度?|上期)(?!相比|同比|同期)")
_CURRENT = re.compile(r"本年度?|今年|当年|本期|全年")
_YEAR = re.compile(_COMPARE_BEFORE + r"(?P<y>(?:19|20)\d{2})\s*年(?!\d{1,2}月)(?!相比)")
_SEVERAL = re.compile(r"分别|依次|各为")
# What may stand right before a label without making it part of a longer name.
_LEAD_IN = re.compile(
    r"(?:其中|中|的|为|是|和|及|与|以及|共|总|合计|累计|全部|实际|完成|决算|安排|用于|当年"
    r"|本年度?|全年|今年|上年度?|去年|年度|年|本?部门|本?单位|本级|我委|我办|我院"
    r"|[我本全](?:局|委|办|院|馆|所|站|校|队|镇|乡|会|中心|厅|处|室)|综合"
    r"|一般公共预算(?:财政)?(?:拨款)?|财政拨款|年初|批复|预算|含|包括|包含|即"
    # an enumeration (一是人员经费…), the whole a part is read under (基本支出中的人员经费)
    r"|[一二三四五六七八九十]是|其[一二三四五]|首先|其次|再次|最后|此外|另外|基本支出"
    # the whole, at the year's end (整体预算执行率, 年末执行率, 全年支出执行率)
    r"|整体|总体|年末|年底|年终|支出"
    # a spending verb (全年支付人员经费…, 列支公用经费…): the field spent, not a longer name
    r"|支付|发放|开支|列支|花费|使用|拨付|共计)$"
)
_CJK = re.compile(r"[\u4e00-\u9fff]$")
# Words that may stand between a label and its figure (“项目支出为”, “支出总额：”, “完成”).
_GAP_FILLER = re.compile(
    r"[仅只]有|[\s:：为是达到了共计合计总计约仅只已]|实际完成|完成|实际|支出|决算数?|金额|总额|数额?|累计|全年|本年度?"
    r"|分别|执行|使用|安排|下达|拨付|年度?|\d{4}年度?"
)
# A figure after “用于 / 包括 / 其中…” is a component of the label's total, not the total.
_COMPONENT = re.compile(r"用于|包括|包含|其中|主要|含|涉及|列支")
# “(1)某某运行经费：预算…，实际支出…”: a sentence about a named item, not about the field.
_TOPIC = re.compile(
    r"^\s*(?P<mark>[(（]?\d{1,2}[)）.、]|[(（]?[一二三四五六七八九十]{1,3}[)）、.])?\s*"
    r"(?P<topic>[^:：，,。；;]{2,30}?)\s*[:：]"
)
_ITEM_NAME = re.compile(r"(?:经费|项目|资金|补助|专项|工程|费|款)$")
_HEADING_NAME = re.compile(r"(?:情况|概况|分析|方面|说明|如下|总体|整体|内容|结论)$")
_UNIT_AFTER_FIGURE = re.compile(r"\d\s*(?:万元|亿元|千元|元|万|人|个|件|次)$")
_COMPARED = re.compile(r"[比较]|与")
_BRACKETS = re.compile(r"[(（][^()（）]*[)）]")
# Paths whose figures are not of a stage (a rate, a count, a change) skip the stage test.
_CHANGE = re.compile(r"\.change(?:_pct)?$")
_CHANGE_WORDS = re.compile(
    r"[比较]\s*(?:上年度?|去年|上一年度?|\d{4}\s*年度?)?(?:同期)?|增加|减少|上升|下降|增长|降低|了"
)
_STAGE_LED = re.compile(r"实际|决算|执行|完成")
_STAGELESS = re.compile(r"\.(?:change|change_pct)$|execution_rate$|^staffing\.|^report\.")


@dataclass(frozen=True)
class Basis:
    """The cues of one statement (口径). ``None`` means no cue was read."""

    label: str | None = None  # the label it stands under (prose label, table row label)
    year: int | None = None  # a year stated with it (2023年…, the 2023年决算数 column)
    period: Literal["current", "previous"] | None = None  # 本年 / 上年 words
    stage: Literal["budget", "final"] | None = None  # 预算 / 决算 words
    part: bool = False  # the label ends a longer name (专项业务费项目支出): a sub-quota
    several: bool = False  # “分别为”: which figure is which is a reading, not a statement
    column: str | None = None  # the table column header, for a table cell
    words: tuple[str, ...] = field(default_factory=tuple)  # the cue words read

    @property
    def table(self) -> bool:
        return self.column is not None


def expected(path: str) -> tuple[str | None, str | None]:
    """(period, stage) an export path stands for: this year's final figure unless named."""
    period = "previous" if path.endswith(".previous") or "previous_final" in path else "current"
    stage: str | None = "final"
    if path.endswith((".budget", ".initial_budget", ".full_year_budget")):
        stage = "budget"
    if _STAGELESS.search(path):
        stage = None
    return period, stage


def fit(path: str, basis: Basis | None, fiscal_year: int | None = None) -> Fit:
    """Whether ``basis`` is that of ``path``: 'other' when a cue names another quantity
    (another year, budget for a final figure, a sub-quota), 'same' when its label was read
    and nothing contradicts, 'unknown' when the words do not tell."""
    if basis is None:
        return "unknown"
    period, stage = expected(path)
    if basis.part:
        return "other"
    if stage is not None and basis.stage is not None and basis.stage != stage:
        return "other"
    if _period_of(basis, fiscal_year) not in (None, period) and not _CHANGE.search(path):
        return "other"
    if basis.label is None or basis.several:
        return "unknown"
    return "same"


def _period_of(basis: Basis, fiscal_year: int | None) -> str | None:
    if basis.year is not None and fiscal_year is not None:
        if basis.year == fiscal_year:
            return "current"
        return "previous" if basis.year == fiscal_year - 1 else "elsewhen"
    return basis.period


def same_quantity(a: Basis | None, b: Basis | None) -> bool:
    """Whether two statements are of the same quantity by their own words: both labelled,
    and no cue tells them apart (another year, another stage)."""
    if a is None or b is None or a.label is None or b.label is None:
        return False
    if a.part or b.part or a.several or b.several:
        return False
    if a.year is not None and b.year is not None and a.year != b.year:
        return False
    if a.stage and b.stage and a.stage != b.stage:
        return False
    return not (a.period and b.period and a.period != b.period)


# --- reading the cues -------------------------------------------------------------------


@cache
def _label_patterns(path: str) -> tuple[re.Pattern[str], ...]:
    """The lexicon's words for ``path`` (or for the item's '.actual' entry: a 三公 item is
    named the same in every column), one pattern per label: at one place the label read
    is the one reaching furthest (年度支出总额, not 年度支出 before 总额)."""
    lex = lexicon()
    entries = [lex.get(path)]
    if path.startswith("three_public."):
        entries.append(lex.get(path.rsplit(".", 1)[0] + ".actual"))
    for entry in entries:
        if entry is None:
            continue
        found = [*entry.label_patterns(), entry.row_label_pattern()]
        if any(found):
            return tuple(re.compile(p) for p in found if p)
    return ()


def _back_to(text: str, pos: int, stops: str, limit: int) -> int:
    """Back from ``pos`` to the last stop before it; a stop inside brackets closed before
    ``pos`` (人员经费（含工资、津贴补贴）660万元) ends nothing."""
    start = pos
    depth = 0
    while start > 0 and pos - start < limit:
        ch = text[start - 1]
        if ch in ")）":
            depth += 1
        elif ch in "(（":
            if depth == 0:
                break  # the figure stands inside this bracket: its clause starts here
            depth -= 1
        elif depth == 0 and ch in stops:
            break
        start -= 1
    return start


def _last(rx: re.Pattern[str], text: str) -> re.Match[str] | None:
    found = None
    for m in rx.finditer(text):
        found = m
    return found


def _is_part(prefix: str) -> bool:
    """Whether the words before a label make it part of a longer name."""
    while prefix:
        m = _LEAD_IN.search(prefix)
        if not m or not m.group(0):
            break
        prefix = prefix[: m.start()]
    prefix = _TRAILING_SPACES.sub("", prefix)
    if prefix.endswith(("(", "（")):  # “基本支出(人员经费…”: an aside names its own item
        return False
    # “…495.95万元(含人员经费”: a unit after a figure ends the previous phrase.
    return bool(_CJK.search(prefix)) and not _UNIT_AFTER_FIGURE.search(prefix)


def _label(patterns: tuple[re.Pattern[str], ...], text: str) -> re.Match[str] | None:
    best = None
    for rx in patterns:
        m = _last(rx, text)
        if m and (best is None or (m.end(), -m.start()) > (best.end(), -best.start())):
            best = m
    return best


def _time_cues(text: str) -> tuple[int | None, str | None, list[str]]:
    """(year, period, words) from the nearest time word before the end of ``text``; an
    aside in brackets (“(上年支出672.21万元)”) is not the figure's year."""
    text = _without_brackets(text)
    hits = [(m.end(), m) for rx in (_PREVIOUS, _CURRENT, _YEAR) for m in rx.finditer(text)]
    if not hits:
        return None, None, []
    _, m = max(hits, key=lambda h: h[0])
    if m.re is _YEAR:
        return int(m.group("y")), None, [m.group(0)]
    return None, "previous" if m.re is _PREVIOUS else "current", [m.group(0)]


def _without_brackets(text: str) -> str:
    """``text`` with every bracketed aside blanked, nested ones too (“(上年支出782.90万元
    (7829000元))”), offsets kept."""
    while True:
        blanked = _BRACKETS.sub(lambda m: " " * len(m.group(0)), text)
        if blanked == text:
            return text
        text = blanked


def _stage_cue(text: str) -> tuple[str | None, list[str]]:
    b, f = _last(_BUDGET, text), _last(_FINAL, text)
    if b is None and f is None:
        return None, []
    if f is None or (b is not None and b.end() > f.end()):
        return "budget", [b.group(0)]  # type: ignore[union-attr]
    return "final", [f.group(0)]


def _sentence_time(text: str, sent_start: int, clause_start: int, start: int):  # noqa: ANN202
    """The clause's own time word, else the one leading the sentence (“2023年，…”)."""
    found = _time_cues(text[clause_start:start])
    if found[0] is not None or found[1] is not None:
        return found
    first_clause_end = _forward_to(text, sent_start, clause_start)
    return _time_cues(text[sent_start:first_clause_end])


def _forward_to(text: str, start: int, limit: int) -> int:
    depth = 0
    for i in range(start, limit):
        ch = text[i]
        depth += ch in "(（"
        depth -= ch in ")）"
        if depth <= 0 and ch in _CLAUSE_END:
            return i
    return limit


def _governs(gap: str) -> str:
    """How a label governs the figure after it: 'direct', 'component' (用于…), 'loose'."""
    rest = _GAP_FILLER.sub("", _without_brackets(gap))
    if not _HAN.search(rest):
        return "direct"
    return "component" if _COMPONENT.search(rest) else "loose"


def _about_other(sentence: str, clause: str, label: re.Match[str] | None, path: str) -> bool:
    """Whether the words say the figure is of another item: a sentence about a named item
    (“(1)某某经费：…实际支出…”), or a change of another item (“培训费较上年减少…”)."""
    topic = _TOPIC.match(sentence)
    if topic and _names_item(topic) and not _label(_label_patterns(path), topic.group(0)):
        return True
    if path.endswith((".change", ".change_pct")):
        compared = _COMPARED.search(clause)
        subject = clause[: compared.start()] if compared else ""
        subject = _SUBJECT_NOISE.sub("", subject)
        return bool(subject) and not _label(_label_patterns(path), subject)
    return False


def _subject_is_other(first: str, path: str) -> bool:
    """“项目支出年初预算320万元，实际支出300万元”: a stage-led label (实际支出) continues
    the sentence's subject; when that subject is another field's label, so is the figure."""
    first = _FIRST_LEAD.sub("", first)
    if _label(_label_patterns(path), first[:12]):
        return False
    return any(other != path and rx.match(first) for other, rx in _money_labels())


@cache
def _money_labels() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(path, label pattern) of every budget money field with a label, compiled once."""
    return tuple(
        (entry.path, re.compile(entry.label_pattern()))
        for entry in lexicon().fields("budget.")
        if entry.kind == "money" and entry.label_pattern()
    )


_TRAILING_SPACES = re.compile(r"\s+$")
_SUBJECT_NOISE = re.compile(r"^[\s\d]*(?:年度?|本年度?|全年|今年)?|[\s,，:：]+")
_FIRST_LEAD = re.compile(r"^[\s\d年度,，:：]*(?:本年度?|全年|今年)?")
_CLAUSE_MARK_OR_DIGIT = re.compile(r"[，,。；;:：\d]")


def _names_item(topic: re.Match[str]) -> bool:
    """“(2)运动场改造：” or “某某专项经费：” names an item; “(三)预算执行情况：” a heading."""
    name = topic.group("topic")
    if _HEADING_NAME.search(name):
        return False
    return bool(topic.group("mark")) or bool(_ITEM_NAME.search(name))


def prose_basis(text: str, start: int, path: str) -> Basis:
    """The basis of a figure starting at ``start`` of ``text``, from the words before it."""
    sent_start = _back_to(text, start, _SENTENCE_END, 200)
    clause_start = _back_to(text, start, _CLAUSE_END, 60)
    if not text[clause_start:start].strip():
        # a figure alone on its line under its label alone on the line above (a table
        # written one cell per line: “支出合计\n510.00万元”): that line is its clause
        clause_start = sent_start = _label_line_above(text, clause_start)
    clause = text[clause_start:start]
    label = _label(_label_patterns(path), clause)
    year, period, words = _sentence_time(text, sent_start, clause_start, start)
    stage, stage_words = _stage_cue(clause)
    quoted = label is not None and label.group(0)[:1] in '“"「'
    part = label is not None and not quoted and _is_part(clause[: label.start()])
    gap = clause[label.end() :] if label is not None else ""
    if _CHANGE.search(path):  # “…经费比上年减少0.21万元”: the comparison is the change's
        gap = _CHANGE_WORDS.sub("", gap)
    governs = _governs(gap) if label is not None else "loose"
    part = part or governs == "component"
    part = part or _about_other(text[sent_start:start], clause, label, path)
    if label is not None and _STAGE_LED.match(label.group(0)) and clause_start > sent_start:
        part = part or _subject_is_other(text[sent_start:clause_start], path)
    stated = label.group(0) if label is not None and governs == "direct" else None
    if label is None and clause_start > sent_start:
        stated = _topic_label(text[sent_start:clause_start], clause, path)
    return Basis(
        label=stated,
        year=year,
        period=period,
        stage=stage,
        part=part,
        several=bool(_SEVERAL.search(clause)),
        words=tuple(words + stage_words),
    )


def _label_line_above(text: str, start: int) -> int:
    """The start of the line above ``start`` (a line start) when it is a short label with
    no clause marks; else ``start``."""
    if start < 1 or text[start - 1] != "\n":
        return start
    above = text.rfind("\n", 0, start - 1) + 1
    line = text[above : start - 1].strip()
    if 2 <= len(line) <= 20 and not _CLAUSE_MARK_OR_DIGIT.search(line):
        return above
    return start


# A sentence opening with its topic: “在人员经费方面，”, “关于公用经费，”, “人员经费方面：”.
_TOPIC_OPEN = re.compile(
    r"\s*(?:[(（]?[一二三四五六七八九十\d]{1,2}[)）、.]\s*)?(?:在|关于|对于|就)?\s*"
    r"(?P<name>[\u4e00-\u9fff]{2,10}?)\s*(?:方面|而言)\s*[，,:：]"
)


def _topic_label(opening: str, clause: str, path: str) -> str | None:
    """The field's label when the sentence's topic is the field (在人员经费方面，全年支出…)
    and the figure's own clause holds nothing but filler before it."""
    m = _TOPIC_OPEN.match(opening)
    if m is None or _governs(clause) != "direct":
        return None
    found = _label(_label_patterns(path), m.group("name"))
    return found.group(0) if found is not None and found.group(0) == m.group("name") else None


def table_basis(table: Table, cell: Cell, path: str) -> Basis:
    """The basis of a table cell: its row label and its column header."""
    return _cell_basis(_row_label(table, cell), _column_header(table, cell), path)


def _cell_basis(row_label: str, header: str, path: str) -> Basis:
    """The basis of a cell under ``header`` in the row labelled ``row_label``."""
    label = _label(_label_patterns(path), row_label)
    year, period, words = _time_cues(header)
    stage, stage_words = _stage_cue(header)
    return Basis(
        label=label.group(0) if label else None,
        year=year,
        period=period,
        stage=stage,
        part=label is not None and _is_part(row_label[: label.start()]),
        column=header or "",
        words=tuple(words + stage_words),
    )


def _words(text: str) -> str:
    return _SPACES.sub("", text)


_SPACES = re.compile(r"\s+")


def _has_words(cell: Cell) -> bool:
    return bool(_HAN.search(cell.text))


_HAN = re.compile(r"[\u4e00-\u9fff]")


def _row_label(table: Table, cell: Cell) -> str:
    return _Grid(table).row_label(cell)


def _column_header(table: Table, cell: Cell) -> str:
    return _Grid(table).column_header(cell)


class _Grid:
    """A table's cells with words by the rows and by the columns they cover, each list in
    the table's order: a cell's row label and header are then read from its own row and
    column, not from a pass over every cell of the table (a table states many figures)."""

    def __init__(self, table: Table) -> None:
        self.by_row: dict[int, list[Cell]] = {}
        self.by_col: dict[int, list[Cell]] = {}
        for c in table.cells:
            if _has_words(c):
                for row in range(c.row, c.row + c.row_span):
                    self.by_row.setdefault(row, []).append(c)
                for col in range(c.col, c.col + c.col_span):
                    self.by_col.setdefault(col, []).append(c)

    def row_label(self, cell: Cell) -> str:
        """The words of the cells left of ``cell`` in its row."""
        left = [c for c in self.by_row.get(cell.row, ()) if c.col < cell.col]
        left.sort(key=lambda c: c.col)
        return "".join(_words(c.text) for c in left)

    def column_header(self, cell: Cell) -> str:
        """The words of the nearest cell above ``cell`` in its column."""
        above = [c for c in self.by_col.get(cell.col, ()) if c.row < cell.row]
        if not above:
            return ""
        nearest = max(above, key=lambda c: c.row)
        return _words(nearest.text)


class _TableIndex:
    """The document's tables by where their text starts, so that finding the cell under a
    statement is a bisection, not a walk over every table (a long document states
    thousands of values over thousands of tables)."""

    def __init__(self, doc: Document) -> None:
        self.tables = sorted(doc.tables, key=lambda t: t.span.start)
        self.starts = [t.span.start for t in self.tables]

    def cell_at(self, start: int, end: int) -> tuple[Table, Cell] | None:
        # tables' texts do not overlap: only the last table starting at or before ``start``
        # can hold it
        k = bisect.bisect_right(self.starts, start) - 1
        if k < 0 or not start < self.tables[k].span.end:
            return None
        table = self.tables[k]
        for cell in table.cells:
            if cell.span.start <= start and end <= cell.span.end:
                return table, cell
        return None


class BasisReader:
    """Reads the basis of statements of one document."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self._tables = _TableIndex(doc)
        self._grids: dict[int, _Grid] = {}  # by id: the document holds its tables meanwhile

    def _grid(self, table: Table) -> _Grid:
        if id(table) not in self._grids:
            self._grids[id(table)] = _Grid(table)
        return self._grids[id(table)]

    def read(self, path: str, start: int, end: int) -> Basis:
        hit = self._tables.cell_at(start, end)
        if hit is not None:
            table, cell = hit
            inside = self.doc.text[cell.span.start : start]
            if _label(_label_patterns(path), inside):  # “项目支出：480万元” in one cell
                # read within the cell: the cell before it is no part of its sentence
                cell_text = self.doc.text[cell.span.start : end]
                return prose_basis(cell_text, start - cell.span.start, path)
            grid = self._grid(table)
            return _cell_basis(grid.row_label(cell), grid.column_header(cell), path)
        return prose_basis(self.doc.text, start, path)


def annotate(candidates: Iterable[Candidate], doc: Document) -> None:
    """Fill ``basis`` of every grounded figure candidate that has none."""
    reader = BasisReader(doc)
    for c in candidates:
        src = c.value.source
        if c.basis is not None or src is None or not src.grounded:
            continue
        if _BASIS_PATHS.match(c.path):
            c.basis = reader.read(c.path, src.span.start, src.span.end)


_BASIS_PATHS = re.compile(r"^(?:budget|three_public|staffing)\.")
