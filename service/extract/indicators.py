"""The indicator rows of the 绩效自评表 (一级/二级/三级指标, 指标值, 实际值, 分值, 得分, 偏差原因).

Owns: reading them from the table, and from prose where a report writes each indicator as
a sentence (“（1）产出指标—数量指标：X，年度目标≥820批，实际完成899批，分值8分，得分8分。”).
Table side: finding the indicator header by its column names (with other provinces' variants),
reading each row even when an exported table shifted its cells left, and filling merged
一级/二级 cells: down from the row that names them, up when the merged text stands below
its first row (seed 002), and never across families (a 社会效益指标 row is not under
产出指标). Must not read budget figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from service.document import Cell
from service.extract.ground import Grounder
from service.extract.indicator_framework import framework_levels, with_framework_levels
from service.extract.indicator_levels import OwnLabels, labels_set, settle_levels
from service.extract.table_headers import (
    cell_quantity,
    column_roles,
    covering,
    header_texts,
    role_of,
    squeeze,
)
from service.memo import memo
from service.records import Indicator, Value
from service.records.numbers import (
    PREFIX_COMPARATORS,
    SUFFIX_COMPARATORS,
    Quantity,
    parse_quantity,
)

LEVEL1_NAMES = {
    "产出指标",
    "效益指标",
    "满意度指标",
    "成本指标",
    "效果指标",
    "效果",
    "产出",
    "效益",
    "满意度",
    "成本",
}
# Level-2 names and the level-1 family they belong to.
LEVEL2_FAMILY = {
    "数量指标": "产出",
    "质量指标": "产出",
    "时效指标": "产出",
    "经济效益指标": "效益",
    "社会效益指标": "效益",
    "生态效益指标": "效益",
    "可持续影响指标": "效益",
    "服务对象满意度指标": "满意度",
    "经济成本指标": "成本",
    "社会成本指标": "成本",
    "生态环境成本指标": "成本",
}


def level2_family(name: str) -> str | None:
    """The level-1 family (产出, 效益 …, or the framework's 过程 …) of a level-2 name,
    written with or without 指标 (数量指标, 数量; 预算执行)."""
    name = squeeze(name)
    family = LEVEL2_FAMILY.get(name) or BARE_LEVEL2.get(name)
    if family is None:
        family = framework_levels()[1].get(name.removesuffix("指标"))
    return family


BARE_LEVEL2 = {k.removesuffix("指标"): v for k, v in LEVEL2_FAMILY.items()}
# A level-1 name in newer templates, a level-2 one under 产出 in older ones: its column
# (or what follows it in a glued copy) says which.
EITHER_LEVEL = frozenset({"成本指标", "成本"})
_WEIGHT_IN_LABEL = re.compile(r"[(（]\s*\d+(?:\.\d+)?\s*分\s*[)）]")
# The label of the 总分 row (the score it states is report.total_score, not an indicator).
TOTAL_LABEL = (
    r"(?:总分|合计|总计|综合得分|综合评分|自评总分|总得分|得分合计|合计得分|自评得分合计|"
    r"自评得分总计|总体得分|评价总分|总评分)"
)
_TOTAL = re.compile(rf"^{TOTAL_LABEL}(?:[:：]?(?P<score>\d+(?:\.\d+)?)分?)?$")
_LEVELS = ("level3", "level2", "level1")


@dataclass
class IndicatorHeader:
    """Where the header stands (``first``..``row``, two rows when written over two) and
    role → column; ``others`` are columns with a header that names no role (指标解释,
    评分标准, 数据来源): read by nobody, never taken for a deviation."""

    row: int
    cols: dict[str, int]
    first: int | None = None
    others: frozenset[int] = frozenset()


def _t(cell: Cell | None) -> str:
    return "" if cell is None else squeeze(cell.text)


def _leaf(cols: dict[str, int]) -> dict[str, int]:
    """A rubric-style table without a 三级指标 column: its deepest level column names the
    indicator (一级 | 二级 | 指标解释 | 分值 | 评分标准 | 得分)."""
    if "level3" in cols:
        return cols
    deepest = next((lv for lv in _LEVELS if lv in cols), None)
    if deepest is None:
        return cols
    out = {k: v for k, v in cols.items() if k != deepest}
    out["level3"] = cols[deepest]
    return out


def _is_header(cols: dict[str, int]) -> bool:
    return "level3" in cols and ("weight" in cols or "score" in cols)


def _continues_header(rows: list[list[Cell | None]], r: int) -> bool:
    """Row ``r + 1`` is the second row of a two-row header: header words and no figure."""
    if r + 1 >= len(rows):
        return False
    cells = [c for c in rows[r + 1] if _t(c)]
    if not cells or any(cell_quantity(c.text) is not None for c in cells):
        return False
    return any(role_of(c.text, "indicators") for c in cells)


def find_indicator_header(
    rows: list[list[Cell | None]], grid: list[list[Cell | None]] | None = None
) -> IndicatorHeader | None:
    """The 自评表 header among ``rows``, or None; ``grid``: ``covering(rows)`` where the
    caller has it (built once here otherwise, not once per row tried)."""
    grid = covering(rows) if grid is None else grid
    for r in range(len(rows)):
        two = _continues_header(rows, r)
        cols = _leaf(column_roles(rows, r, "indicators", two, grid))
        if not _is_header(cols):
            continue
        texts = header_texts(rows, r, two, grid)
        others = frozenset(c for c, t in enumerate(texts) if t and c not in cols.values())
        return IndicatorHeader(r + 1 if two else r, cols, first=r, others=others)
    return None


def is_total_row(row: list[Cell | None]) -> bool:
    first = next((_t(c) for c in row if _t(c)), "")
    return bool(_TOTAL.match(first))


def total_in_label(row: list[Cell | None]) -> Cell | None:
    """The cell of a 总分 row that states the score in its label (“总分：92.5分”)."""
    first = next((c for c in row if _t(c)), None)
    m = _TOTAL.match(_t(first))
    return first if m and m.group("score") else None


_COMPARATORS = "|".join(sorted(map(re.escape, PREFIX_COMPARATORS), key=len, reverse=True))
# A figure whose unit no unit list knows, or which the lists split (62万亩, 53台套, ≥8种,
# 326万平方米, ≤3个工作日).
_SUFFIXES = "|".join(sorted(map(re.escape, SUFFIX_COMPARATORS), key=len, reverse=True))
_LOOSE = re.compile(
    rf"\s*(?P<pre>{_COMPARATORS})?\s*(?P<num>\d+(?:\.\d+)?)\s*"
    r"(?P<unit>(?![年月日号时点度])[\u4e00-\u9fff]{1,5}?)\s*"
    rf"(?P<post>{_SUFFIXES})?\s*"
)


def indicator_quantity(text: str) -> Quantity | None:
    """A target or actual as a quantity: the number parser's reading, else a comparator,
    a number and a unit of up to five characters (万亩 is no money, 台套 one unit)."""
    q = cell_quantity(text)
    if q is not None:
        return q
    m = _LOOSE.fullmatch(text)
    n = parse_quantity(m.group("num")) if m else None
    if m is None or n is None:
        return None
    start = m.start("pre") if m.group("pre") else m.start("num")
    pre = PREFIX_COMPARATORS.get(m.group("pre") or "")
    post = SUFFIX_COMPARATORS.get(m.group("post") or "")  # 3个工作日以内
    end = m.end("post") if m.group("post") else m.end("unit")
    return replace(n, unit=m.group("unit"), comparator=pre or post, start=start, end=end)


def _base(name: str) -> str:
    return re.sub(r"指标$", "", _WEIGHT_IN_LABEL.sub("", name))


@memo(16384)
def against_family(level1: str, level2: str) -> bool:
    """Whether the names say a level 2 does not stand under a level 1: a standard 二级
    (数量指标, 数量; 成本指标 as a 二级 is the older template's, under 产出) of another
    family, or a framework 二级 (预算执行) under another of the framework's 一级 (投入). A
    report's own level-1 names (预算执行 as a 一级) say nothing. Cached: the levels are
    settled by weighing every label against every row, for each alignment."""
    level2 = squeeze(level2)
    family = LEVEL2_FAMILY.get(level2) or BARE_LEVEL2.get(level2)
    if level2 in EITHER_LEVEL:  # a level 2 only in the older template, under 产出
        family = "产出"
    if family is not None:
        return not in_family(level1, family)
    fw1, fw2 = framework_levels()
    family = fw2.get(level2.removesuffix("指标"))
    return family is not None and _base(level1) in fw1 and _base(level1) != family


def in_family(level1: str, family: str) -> bool:
    """Whether a level-2 name of ``family`` (产出, 效益 …) belongs under ``level1``: its
    name holds the family (产出指标, 项目产出), or says 效果 for 效益."""
    base = _base(level1)
    return family in base or (family == "效益" and "效果" in base)


def _share_unit(v: Value | None, other: Value | None) -> Value | None:
    """A bare number beside a target or actual with a unit takes that unit
    (“≤3157.85万元” / “3157.85”)."""
    if v is None or other is None or v.number is None or v.unit or not other.unit:
        return v
    if other.number is None:
        return v
    return v.model_copy(update={"unit": other.unit})


def _is_points(cell: Cell | None) -> bool:
    if cell is None:
        return False
    q = cell_quantity(cell.text)
    return q is not None and q.value is not None and q.unit in (None, "分")


_LABEL_NUMBER = re.compile(
    r"\s*(?:[(（]?[一二三四五六七八九十]{1,3}[)）、.．]|[(（]?\d{1,2}[)）、.．])\s*"
)
_LABEL_PART = re.compile(r"[^—\-－/:：()（）]+")


def _known_level(name: str) -> bool:
    fw1, fw2 = framework_levels()
    base = name.removesuffix("指标")
    return name in LEVEL1_NAMES or level2_family(name) is not None or base in fw1


def label_parts(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """The level names a label cell holds, each with its span: its number dropped
    (“一、产出指标”), two names parted by a dash, a slash or brackets read apart
    (“产出指标—数量指标”, “产出/数量”, “产出指标（数量指标）”)."""
    m = _LABEL_NUMBER.match(text, start, end)
    if m and m.end() < end:
        start = m.end()
    parts = [(p.start(), p.end()) for p in _LABEL_PART.finditer(text, start, end)]
    names = [squeeze(_WEIGHT_IN_LABEL.sub("", text[a:b])) for a, b in parts]
    if len(parts) > 1 and all(_known_level(n) for n in names):
        return [(a, b, n) for (a, b), n in zip(parts, names, strict=True)]
    whole = text[start:end].rstrip(":：")
    return [(start, start + len(whole), squeeze(_WEIGHT_IN_LABEL.sub("", whole)))]


class IndicatorParser:
    """Feeds on rows (one table or several continued ones); ``finish`` returns the rows."""

    def __init__(self, g: Grounder, header: IndicatorHeader) -> None:
        self.g = g
        self.h = header.cols
        self.others = header.others
        self.rows: list[Indicator] = []
        self.l1: Value | None = None
        self.l2: Value | None = None
        self.stop_at_total = False
        self._done = False
        self._group_col_texts = {"绩效指标", "绩效目标", "指标"}
        self._own: list[OwnLabels] = []  # per row, the labels its own cells state
        self._between: list[tuple[float, OwnLabels]] = []  # labels on rows of their own
        self._after_total: list[list[Cell | None]] = []  # rows read after a 合计 row

    def finish(self) -> list[Indicator]:
        settled = settle_levels(self.rows, self._own, self._between)
        return with_framework_levels(settled)

    @property
    def done(self) -> bool:
        """The table's total row was read: nothing after it belongs to it."""
        return self._done

    def feed(self, rows: list[list[Cell | None]], loc: str) -> None:
        """Read ``rows``; after the 合计 row, rows of the same table wait until one proves
        to be an indicator row (a total printed between two parts of a split table), else
        they are not ours; a later table after the total is never ours."""
        if self._done:
            return
        for row in rows:
            if is_total_row(row):
                if self.rows:  # (a 合计 row printed first, right under the header: skipped)
                    self._done = True
                continue
            if find_indicator_header([row]) is not None:
                continue  # a header repeated on a continued page
            if not self._done:
                self._row(row, loc)
            elif self._is_indicator_row(row):
                self._done = False
                for waiting in self._after_total:
                    self._row(waiting, loc)
                self._row(row, loc)
            else:
                self._after_total.append(row)
        self._after_total.clear()  # a table (or a page) ends what a total row left waiting

    def _is_indicator_row(self, row: list[Cell | None]) -> bool:
        """A row with its points where the header puts them and a name that is no level's."""
        off = self._offset(row)
        name = self._cell(row, "level3", off) if off is not None else None
        return name is not None and not _known_level(_t(name))

    # --- one row -----------------------------------------------------------------------

    def _offset(self, row: list[Cell | None]) -> int | None:
        w, s = self.h.get("weight"), self.h.get("score")
        anchor = w if w is not None else s
        if anchor is None:
            return None
        for off in (0, -1, -2, 1):
            cols = [c + off for c in (w, s) if c is not None]
            if all(0 <= c < len(row) and _is_points(row[c]) for c in cols):
                return off
        return None

    def _cell(self, row: list[Cell | None], role: str, off: int) -> Cell | None:
        col = self.h.get(role)
        if col is None or not 0 <= col + off < len(row):
            return None
        cell = row[col + off]
        return cell if _t(cell) else None

    def _row(self, row: list[Cell | None], loc: str) -> None:
        off = self._offset(row)
        level3_col = self.h["level3"] + (off or 0)
        label_cells = [
            (c, cell)
            for c, cell in enumerate(row)
            if _t(cell)
            and (off is None or c < level3_col)
            and _t(cell) not in self._group_col_texts
        ]
        before = (self.l1, self.l2)
        for c, cell in label_cells:
            self._label(c - (off or 0), cell, loc)
        if off is None:
            if (self.l1, self.l2) != before:  # a level on a row of its own (-0.5: first)
                self._between.append((len(self.rows) - 0.5, self._own_labels(before)))
            return
        level3 = self._cell(row, "level3", off)
        if level3 is None:
            return
        target = self._value(self._cell(row, "target", off), loc)
        actual = self._value(self._cell(row, "actual", off), loc)
        target, actual = _share_unit(target, actual), _share_unit(actual, target)
        ind = Indicator(
            level1=self.l1,
            level2=self.l2,
            level3=self.g.text(level3.span.start, level3.span.end, loc),
            target=target,
            actual=actual,
            weight=self._points(self._cell(row, "weight", off), loc),
            score=self._points(self._cell(row, "score", off), loc),
            deviation=self._deviation(row, off, loc),
        )
        self.rows.append(ind)
        self._own.append(self._own_labels(before))

    def _own_labels(self, before: tuple[Value | None, Value | None]) -> OwnLabels:
        return labels_set(before, (self.l1, self.l2))

    def _label(self, col: int, cell: Cell, loc: str) -> None:
        parts = label_parts(self.g.doc.text, cell.span.start, cell.span.end)
        if len(parts) == 2:  # “产出—数量”: a level 1 and its level 2, whatever the names
            for role, (start, end, name) in zip(("level1", "level2"), parts, strict=True):
                self._one_label(col, start, end, name, loc, role)
            return
        for start, end, name in parts:
            self._one_label(col, start, end, name, loc)

    def _one_label(
        self, col: int, start: int, end: int, name: str, loc: str, role: str | None = None
    ) -> None:
        """A 一级/二级 label: as ``role`` says, else by its name where the name is
        unambiguous (数量指标, 数量), else by column, else by the framework's names (投入,
        预算执行 …)."""
        if role_of(name, "indicators") is not None:
            return  # a stray header cell ('偏差原因分析及改进措施')
        is_l1 = name in LEVEL1_NAMES and (name not in LEVEL2_FAMILY and name not in EITHER_LEVEL)
        is_l2 = name in LEVEL2_FAMILY or name in BARE_LEVEL2
        if role is not None:
            is_l1, is_l2 = role == "level1", role == "level2"
        if name in EITHER_LEVEL and role is None:
            is_l1 = col == self.h.get("level1")
            is_l2 = not is_l1
        if not (is_l1 or is_l2):
            is_l1 = col == self.h.get("level1")
            is_l2 = col == self.h.get("level2")
        if not (is_l1 or is_l2):  # a heading row in a table without level columns
            fw1, fw2 = framework_levels()
            is_l1 = name.removesuffix("指标") in fw1
            is_l2 = name.removesuffix("指标") in fw2
        value = self.g.text(start, end, loc, value=name)
        if value is None:
            return
        if is_l1:
            self.l1, self.l2 = value, None
            self._fill_up(value)
        elif is_l2:
            if (
                self.l1 is not None
                and against_family(str(self.l1.value), name)
                and name not in EITHER_LEVEL
            ):
                self.l1 = None  # a new family whose level-1 cell the table does not show
            self.l2 = value

    def _fill_up(self, l1: Value) -> None:
        """A merged level-1 cell whose text stands below its first rows: give it to the rows
        above that have none and belong to its family."""
        for ind in reversed(self.rows):
            if ind.level1 is not None:
                break
            if ind.level2 is not None and against_family(str(l1.value), str(ind.level2.value)):
                break
            ind.level1 = l1

    def _value(self, cell: Cell | None, loc: str) -> Value | None:
        if cell is None:
            return None
        q = indicator_quantity(cell.text)
        if q is not None:
            return self.g.quantity(q, cell.span.start, loc)
        return self.g.text(cell.span.start, cell.span.end, loc)

    def _points(self, cell: Cell | None, loc: str) -> Value | None:
        if cell is None:
            return None
        q = cell_quantity(cell.text)
        if q is None:
            return None
        v = self.g.quantity(q, cell.span.start, loc)
        return v.model_copy(update={"unit": "分"})

    def _deviation(self, row: list[Cell | None], off: int, loc: str) -> Value | None:
        cell = self._cell(row, "deviation", off)
        if cell is None:
            score_col = self.h.get("score")
            if (
                score_col is not None
                and score_col + 1 not in self.others  # 评分标准 after 得分 is no deviation
                and 0 <= score_col + off + 1 < len(row)
            ):
                nxt = row[score_col + off + 1]
                cell = nxt if _t(nxt) and cell_quantity(nxt.text) is None else None
        if cell is None:
            return None
        return self.g.text(cell.span.start, cell.span.end, loc)


_PROSE_ROW = re.compile(
    # A numbered sentence at a line's start (or after the previous one's 。). “—” between
    # the levels, which may be left out (“2.会议召开次数：年度指标值≥4次，…”); OCR reads the
    # dash as “一” at times. The level-1 name need not end in 指标 (项目产出, 项目成本).
    r"(?<![^\n。；;])\s*(?:[(（]?\d{1,2}[)）.、．]?|[(（]?[一二三四五六七八九十]{1,3}[)）、])?\s*"
    r"(?:(?P<l1>[^—\-－:：，,。\n]{2,10}?)\s*[—\-－一]+\s*"
    r"(?P<l2>[^:：，,。\n]{2,14}指标)\s*[:：]\s*)?(?P<l3>[^，,。:：\n]{2,60}?)\s*[，,:：]\s*"
    r"(?:年度|全年)?(?:目标值?|指标值|预期(?:目标)?值?|计划(?:值|数)?)\s*(?:为|[:：])?\s*"
    r"(?P<target>[^，,。\n]{1,30}?)\s*[，,]\s*"
    r"(?:实际(?:完成值?|值|达到)?|完成值?)\s*(?:为|[:：])?\s*(?P<actual>[^，,。\n]{1,30}?)\s*[，,]\s*"
    r"(?:(?:分值|权重|满分|标准分)\s*(?:为|[:：])?\s*(?P<w>\d+(?:\.\d+)?)\s*分?\s*[，,]\s*)?"
    r"(?:自评|实际)?得分?\s*(?:为|[:：])?\s*(?P<s>\d+(?:\.\d+)?)\s*分?\s*[。；;]?"
    r"(?:\s*(?:偏差原因|原因分析|未完成原因)\s*[:：]\s*(?P<dev>[^。\n]+)。?)?"
)


def prose_indicators(g: Grounder) -> list[Indicator]:
    """Indicator rows written as sentences, one per paragraph (give a prose-view grounder)."""
    # Imported here: the clause reader builds on this module's names and quantities.
    from service.extract.indicator_sentences import sentence_indicators

    # A fixed pattern's row is read into values only where it is kept whole; where the
    # clause reader reads the same sentence, only the fields it lacks are (grounding every
    # value twice cost a fifth of the rules time of a prose report).
    out: list[tuple[int, Indicator | re.Match[str]]] = []
    spans: list[tuple[int, int]] = []
    for para in g.paragraphs():
        for m in _PROSE_ROW.finditer(g.src, para.start, para.end):
            out.append((m.start(), m))
            spans.append(m.span())
    # The clause reader: sentences the fixed pattern does not fit, and what a fitted one
    # leaves out (a weight after the score, the level of a heading line above).
    for s, e, ind in sentence_indicators(g):
        k = next((k for k, (a, b) in enumerate(spans) if a < e and s < b), None)
        if k is None:
            out.append((s, ind))
        else:  # the clause reader's cut, with what only the fixed pattern saw
            out[k] = (out[k][0], _fill(g, ind, out[k][1]))
    rows = [
        row if isinstance(row, Indicator) else _prose_row(g, row)
        for _, row in sorted(out, key=lambda x: x[0])
    ]
    return with_framework_levels(rows)


def _fill(g: Grounder, row: Indicator, other: Indicator | re.Match[str]) -> Indicator:
    """``row`` with the fields it lacks taken from ``other`` (the same sentence read again:
    a row, or the fixed pattern's match, whose values are read only for those fields)."""
    lacking = [k for k, v in row if v is None]
    found = (
        {k: getattr(other, k) for k in lacking}
        if isinstance(other, Indicator)
        else _prose_values(g, other, lacking)
    )
    return row.model_copy(update={k: v for k, v in found.items() if v is not None})


def _prose_row(g: Grounder, m: re.Match[str]) -> Indicator:
    return Indicator(**_prose_values(g, m, list(Indicator.model_fields)))


def _prose_values(g: Grounder, m: re.Match[str], fields: list[str]) -> dict[str, Value | None]:
    """The values of ``fields`` of a fixed pattern's row (``_PROSE_ROW``)."""

    def text(name: str) -> Value | None:
        return None if m.group(name) is None else g.text(m.start(name), m.end(name), "prose")

    def value(name: str) -> Value | None:
        q = indicator_quantity(m.group(name))
        return g.quantity(q, m.start(name), "prose") if q is not None else text(name)

    def points(name: str) -> Value | None:
        q = parse_quantity(m.group(name)) if m.group(name) else None
        if q is None:
            return None
        return g.quantity(q, m.start(name), "prose").model_copy(update={"unit": "分"})

    out: dict[str, Value | None] = {}
    if "target" in fields or "actual" in fields:
        target, actual = value("target"), value("actual")
        out["target"], out["actual"] = _share_unit(target, actual), _share_unit(actual, target)
    read = {"level1": ("l1", text), "level2": ("l2", text), "level3": ("l3", text)}
    read |= {"weight": ("w", points), "score": ("s", points), "deviation": ("dev", text)}
    for name in fields:
        if name in read:
            group, how = read[name]
            out[name] = how(group)
    return {k: out[k] for k in fields}
