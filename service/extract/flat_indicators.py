"""Indicator rows of a 自评表 flattened into text lines with no cell separators.

Owns: a copy of the 绩效自评表 pasted from Word or a web page into plain text, where each
row is one line with its cells glued (``信访办结率≥90%96%55``: name, target, actual,
weight, score), under a header line that says which columns exist (``三级指标年度指标值
实际完成值分值得分``), with the 一级/二级 names on lines of their own above their rows
(or glued before the name). Rows are split by the *shape* of the values, right to left:
the points (weight then score, score ≤ weight), the actual (a number and its unit), the
target (a comparator, a number, the unit); when the points split more than one way, the
split whose weights and scores add up to the 总分 line wins and the locator says so.
Reads only lines outside tables; must not read budget figures.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from service.document import Line
from service.extract.flat_indicator_headers import (
    header_columns,
    is_header,
    may_name_points,
    rubric_columns,
    two_row_header,
)
from service.extract.flat_indicator_levels import (
    BARE_LEVEL2,
    BARE_LEVEL2_ALONE,
    LEVEL_NUMBERING,
    LEVEL_SUFFIX,
    level_at,
    past_separators,
)
from service.extract.flat_indicator_rows import POINTS_CELLS, split_row, split_rubric_row
from service.extract.ground import Grounder
from service.extract.indicator_framework import (
    known_name_end,
    with_framework_levels,
)
from service.extract.indicator_levels import OwnLabels, labels_set, settle_levels
from service.extract.indicators import (
    EITHER_LEVEL,
    LEVEL1_NAMES,
    TOTAL_LABEL,
    against_family,
    indicator_quantity,
    level2_family,
)
from service.extract.table_headers import squeeze
from service.records import Indicator, Value
from service.records.numbers import COUNT_UNITS, MONEY_FACTORS, parse_quantity

LOCATOR = "flat:自评表"
_UNITS = "|".join(
    re.escape(u) for u in sorted([*COUNT_UNITS, *MONEY_FACTORS, "%", "‰"], key=len, reverse=True)
)
_COMPARATOR = r"(?:≥|≤|>=|<=|>|<|=|不低于|不少于|不高于|不超过|大于等于|小于等于|达到|约)"
_NUM = r"\d+(?:\.\d+)?"
# Right to left: the actual (number + unit) ends the head, the target (comparator, number,
# unit) stands before it, the name before that.
_ACTUAL = re.compile(rf"(?P<num>{_NUM})\s*(?P<unit>{_UNITS}|[\u4e00-\u9fff]{{1,2}})$")
# The points, parted by a space or each with its 分 (“10分9.5分”), and a deviation after them.
_POINTS = re.compile(rf"(?P<pts>{POINTS_CELLS})\s*(?P<dev>[^\d\s][^\d]*)?$")
# A level name on its own line that no list knows: short, Chinese only (a wrapped half of
# a long 三级 name is longer).
_NAMED_LEVEL = re.compile(r"[\u4e00-\u9fff]{2,6}")
_IN_ORDER = ("level3", "target", "actual", "weight", "score", "deviation")
_SENTENCE = re.compile(r"[，。；;]")
_TOTAL_LINE = re.compile(rf"^{TOTAL_LABEL}\s*[:：]?\s*(?P<rest>[\d.\s分]*)$")
_MAX_COMBINATIONS = 4096
Span = tuple[int, int]


@dataclass
class _Row:
    l1: Value | None
    l2: Value | None
    name: tuple[int, int]
    target: tuple[int, int] | None
    actual: tuple[int, int] | None
    points: list[tuple[tuple[int, int] | None, tuple[int, int] | None]]  # (weight, score) spans
    deviation: tuple[int, int] | None


@dataclass
class FlatIndicators:
    indicators: list[Indicator] = field(default_factory=list)
    total_score: Value | None = None


# --- splitting a row ----------------------------------------------------------------------


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " \u3000":
        end -= 1
    return end


def _repeated(text: str, start: int, end: int) -> tuple[Span, Span, int] | None:
    """A target met word for word, written as text twice (“持续改善持续改善”): the one
    split of a text target and actual that the shape alone makes sure of."""
    for n in range(min(12, (end - start) // 3), 1, -1):
        a, b = end - 2 * n, end - n
        if text[a:b] == text[b:end] and not re.search(r"\d", text[b:end]):
            return (a, b), (b, end), a
    return None


def _last_words(text: str, start: int, end: int) -> tuple[Span, Span, int] | None:
    """Text target and actual in cells parted by spaces (“按时 基本按时”): the last two
    words, after a name."""
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
    if len(words) < 3:
        return None
    return words[-2], words[-1], _rstrip(text, start, words[-2][0])


def _unknown_unit(text: str, span: tuple[int, int]) -> str | None:
    """The actual's unit where no unit list knows it (卷, 分钟), else None."""
    m = _ACTUAL.search(text, span[0], span[1])
    return None if m is None or re.fullmatch(_UNITS, m.group("unit")) else m.group("unit")


def _valid_number(s: str) -> bool:
    return bool(re.fullmatch(r"(?:0|[1-9]\d*)(?:\.\d+)?", s))


def point_splits(digits: str, both: bool) -> list[tuple[int, ...]]:
    """The ways a glued points string (“1010”, “54.5”) reads as weight then score (cut
    positions), or as one number when the table has only one points column."""
    if not both:
        return [()] if _valid_number(digits) else []
    out = []
    for k in range(1, len(digits)):
        w, s = digits[:k], digits[k:]
        if _valid_number(w) and _valid_number(s) and 0 < float(w) <= 100 and float(s) <= float(w):
            out.append((k,))
    # Whole weights first (a 0.5-point weight is rarer than a 0.5-point score: “10.59”
    # reads 1 | 0.59 unless the totals say 10.5 | 9), then the shorter score.
    out.sort(key=lambda c: ("." in digits[: c[0]], len(digits) - c[0]))
    return out


class _Reader:
    def __init__(self, g: Grounder, roles: list[str], rubric: bool = False) -> None:
        self.g = g
        self.roles = roles
        self.rubric = rubric  # a scoring rubric: name, text columns no field takes, points
        # name, target, actual, points, deviation: read right to left by the values'
        # shapes (with the 总分 to decide glued points); any other order by shapes alone.
        own = [r for r in roles if r in _IN_ORDER]
        self.in_order = own == sorted(own, key=_IN_ORDER.index)
        self._named_l1_last = False  # the line before named a 一级 of our own reading
        self._known_levels = False  # a level name the lists know was read in this table
        self._bare_level2 = False  # a level-2 name without 指标 was read in this table
        self._full_level2 = False  # and one in full (数量指标) or of the framework (预算执行)
        self.text = g.doc.text
        self.l1: Value | None = None
        self.l2: Value | None = None
        self.rows: list[_Row] = []
        # Where the level labels stood, to settle centred ones (``indicator_levels``).
        self.own: list[OwnLabels] = []
        self.between: list[tuple[float, OwnLabels]] = []
        # The 总分 line: where its score stands, and the (weight, score) totals it states.
        self.total_span: tuple[int, int] | None = None
        self.totals: tuple[float | None, float | None] = (None, None)
        self.at_total: tuple[int, int] | None = None  # rows and level lines before 合计

    def cost_names_as_level1(self) -> None:
        """成本 read as a 二级 (``_cost_as_level2``) is the table's 一级 after all where the
        table names 二级 of the 成本 family (经济成本…): the newer template, its label on
        a row of the group other than the first."""
        labels = [*self.own, *(o for _, o in self.between)]
        if not any(o.level2 and level2_family(str(o.level2.value)) == "成本" for o in labels):
            return
        for o in labels:
            if o.level2 is not None and str(o.level2.value) in EITHER_LEVEL and o.level1 is None:
                o.level1, o.level2 = o.level2, None

    def drop_levels_after_total(self) -> None:
        """Level lines after the 合计 line that head no rows are none of this table's."""
        if self.at_total and len(self.rows) == self.at_total[0]:
            del self.between[self.at_total[1] :]

    def noted(self, before: tuple[Value | None, Value | None], n_rows: int) -> bool:
        """Note the labels the line just read set: a row's own, or a level line's place."""
        labels = labels_set(before, (self.l1, self.l2))
        if len(self.rows) > n_rows:
            self.own.append(labels)
        else:  # a level line of its own (-0.5: before the first row)
            self.between.append((len(self.rows) - 0.5, labels))
        return True

    def level_line(self, s: int, e: int) -> bool:
        """A line of 一级/二级 names only (“产出指标”, “产出指标(40分)数量指标”, numbered
        “一、产出指标”, “产出指标—数量指标：”)."""
        n = LEVEL_NUMBERING.match(self.text, s, e)
        s = pos = n.end() if n else s
        seen = False
        while pos < e:
            m = level_at(self.text, pos, e, bare="level2" in self.roles, alone=True)
            if not m:
                return False
            seen = True
            pos = past_separators(self.text, m.end(), e)
        if not seen:
            return False
        self._levels(s, e, alone=True)
        return True

    def named_level_line(self, s: int, e: int) -> bool:
        """A line of one short name no list knows (履职效能, 社会影响) in a table with level
        columns and no level name the lists know: the 一级 name of the rows below (a second
        such line right after it, the 二级 one); where the table has only a 二级 column, that."""
        if self._known_levels or not _NAMED_LEVEL.fullmatch(self.text, s, e):
            return False  # under 产出指标 … a short line is rather a wrapped name's end
        has1, has2 = "level1" in self.roles, "level2" in self.roles
        if not (has1 or has2):
            return False
        v = self.g.text(s, e, LOCATOR)
        if has2 and (not has1 or self._named_l1_last):
            self.l2 = v
            self._named_l1_last = False
        else:
            self.l1, self.l2 = v, None
            self._named_l1_last = True
        return True

    def _levels(self, s: int, e: int, alone: bool = False) -> int:
        """Read the level names at the start of [s, e) (``alone``: all of it); return
        where they end."""
        pos = s
        after_level1 = False
        while True:
            # A bare 二级 name right after a 一级 one (产出数量…), or opening a line where no
            # standard 三级 name does (质量设备完好率 …, not 质量达标率) in a table that has
            # written no 二级 name in full (预算执行 …), unless it writes its 二级 names bare
            # (then 经济效益营商环境… is one more).
            bare = "level2" in self.roles and (
                after_level1
                or pos == s
                and (
                    self._bare_level2
                    or not self._full_level2
                    and known_name_end(self.text, pos, e) is None
                )
            )
            m = level_at(self.text, pos, e, bare=bare or alone, alone=alone)
            if not m:
                return pos
            self._bare_level2 |= m.re in (BARE_LEVEL2, BARE_LEVEL2_ALONE)
            name = re.sub(LEVEL_SUFFIX + "$", "", m.group())
            v = self.g.text(m.start(), m.end(), LOCATOR, value=name)
            self._known_levels = True
            base = name.removesuffix("指标")
            if (
                level2_family(name) is not None
                or name.endswith("效益指标")
                and base not in LEVEL1_NAMES
                or name in EITHER_LEVEL
                and self._cost_as_level2(m.end(), e)
            ):
                self._full_level2 |= m.re not in (BARE_LEVEL2, BARE_LEVEL2_ALONE)
                if self.l1 is not None and against_family(str(self.l1.value), name):
                    self.l1 = None  # a new family whose level-1 name the copy does not show
                self.l2 = v
                after_level1 = False
            else:
                self.l1, self.l2 = v, None
                after_level1 = True
            pos = past_separators(self.text, m.end(), e)

    def _cost_as_level2(self, pos: int, e: int) -> bool:
        """成本 is a 二级 (under 产出, older templates) where the table has a 二级 column,
        a 一级 stands above it, and a row's name follows it, no level name of its own
        (成本经济成本…); on a line of its own it stays a 一级."""
        if "level2" not in self.roles or self.l1 is None:
            return False
        after = past_separators(self.text, pos, e)
        return after < e and level_at(self.text, after, e, bare=True, alone=True) is None

    def row(self, s: int, e: int) -> bool:
        self._named_l1_last = False
        start = self._levels(s, e)
        if self.rubric:
            return self._rubric_row(start, _rstrip(self.text, start, e))
        if self.in_order and self._row_right_to_left(start, e):
            return True
        return self._row_by_shapes(start, e)

    def _rubric_row(self, start: int, e: int) -> bool:
        """A rubric row: cut where the shapes leave one way only (``split_rubric_row``)."""
        known = known_name_end(self.text, start, e)
        split = split_rubric_row(self.text, start, e, self.roles, known)
        if split is None:
            return False
        fixed: dict[str, Span] = {}
        options: list[tuple[Span | None, Span | None]] = [(None, None)]
        for (a, b), roles in split.points:
            if len(roles) == 2:
                options = self._points(a, b, both=True)
            else:
                fixed[roles[0]] = (a, b)
        if not options:
            return False
        points = [(w or fixed.get("weight"), sc or fixed.get("score")) for w, sc in options]
        row = _Row(self.l1, self.l2, split.name, None, None, points, split.deviation)
        self.rows.append(row)
        return True

    def _row_by_shapes(self, start: int, e: int) -> bool:
        """Any column order, and targets and actuals in words: ``flat_indicator_rows``."""
        if _SENTENCE.search(self.text, start, e):
            return False  # prose after the table, not a row
        splits = split_row(self.text, start, _rstrip(self.text, start, e), self.roles)
        if not splits:
            return False
        spans = splits[0].spans
        name = spans["level3"]
        if name[1] - name[0] < 2:
            return False
        points = [(spans.get("weight"), spans.get("score"))]
        self.rows.append(
            _Row(
                self.l1,
                self.l2,
                name,
                spans.get("target"),
                spans.get("actual"),
                points,
                spans.get("deviation"),
            )
        )
        return True

    def _row_right_to_left(self, start: int, e: int) -> bool:
        pm = _POINTS.search(self.text, start, e)
        if pm is None:
            return False
        dev = (pm.start("dev"), pm.end("dev")) if pm.group("dev") else None
        if dev and "deviation" not in self.roles:
            return False
        both = "weight" in self.roles and "score" in self.roles
        points = self._points(pm.start("pts"), pm.end("pts"), both)
        if not points:
            return False
        found = self._values(start, pm.start("pts"))
        if found is None:
            return False
        target, actual, head_end = found
        start = self._spaced_levels(start, head_end)
        self.rows.append(_Row(self.l1, self.l2, (start, head_end), target, actual, points, dev))
        return True

    def _spaced_levels(self, start: int, end: int) -> int:
        """Names parted by spaces before the 三级 name (“履职效能 工作数量 走访户数”): the
        words before the last are the levels no list knows, two of them 一级 and 二级, one
        the 二级 under the 一级 above (or the 一级 where the table has no 二级 column);
        returns where the 三级 name starts."""
        words = [
            (m.start() + start, m.end() + start) for m in re.finditer(r"\S+", self.text[start:end])
        ]
        has_levels = "level1" in self.roles or "level2" in self.roles
        if not has_levels or not 2 <= len(words) <= 3 or any(b - a < 2 for a, b in words):
            return start
        levels = [self.g.text(a, b, LOCATOR) for a, b in words[:-1]]
        if len(levels) == 2:
            self.l1, self.l2 = levels
        elif "level2" in self.roles:
            self.l2 = levels[0]
        else:
            self.l1, self.l2 = levels[0], None
        return words[-1][0]

    def _values(self, start: int, end: int) -> tuple[Span | None, Span | None, int] | None:
        """(target, actual, where the name ends) of the head [start, end) of a row; cells
        parted by single spaces read the same as glued ones."""
        end = _rstrip(self.text, start, end)
        found = self._quantities(start, end)
        if found is None and "target" in self.roles and "actual" in self.roles:
            found = _repeated(self.text, start, end) or _last_words(self.text, start, end)
        if found is None or found[2] - start < 2:
            return None
        return found

    def _quantities(self, start: int, end: int) -> tuple[Span | None, Span | None, int] | None:
        """Target and actual as numbers with units (“≥200人次236人次”)."""
        actual = target = None
        if "actual" in self.roles:
            am = _ACTUAL.search(self.text, start, end)
            if am is None:
                return None
            actual, end = (am.start(), am.end()), _rstrip(self.text, start, am.start())
        if "target" in self.roles:
            # The target's unit is the actual's (卷, 宗 … units no list knows), or a known one.
            own = _unknown_unit(self.text, actual) if actual else None
            unit = re.escape(own) if own else _UNITS
            rx = re.compile(rf"(?P<cmp>{_COMPARATOR})?\s*(?P<num>{_NUM})\s*(?:{unit})?$")
            tm = rx.search(self.text, start, end)
            if tm is None or tm.start() == tm.end():
                return None
            target, end = (tm.start(), tm.end()), _rstrip(self.text, start, tm.start())
        return target, actual, end

    def _points(
        self, s: int, e: int, both: bool
    ) -> list[tuple[tuple[int, int] | None, tuple[int, int] | None]]:
        numbers = [(s + m.start(), s + m.end()) for m in re.finditer(r"\d[\d.]*", self.text[s:e])]
        if len(numbers) == 2 and both:  # separated after all: no guessing
            return [(numbers[0], numbers[1])]
        if len(numbers) != 1:
            return []
        s, e = numbers[0]  # without its 分
        raw = self.text[s:e]
        out: list[tuple[tuple[int, int] | None, tuple[int, int] | None]] = []
        for cut in point_splits(raw, both):
            if cut:
                out.append(((s, s + cut[0]), (s + cut[0], e)))
            elif "score" in self.roles:
                out.append((None, (s, e)))
            else:
                out.append(((s, e), None))
        return out

    def total_line(self, s: int, e: int) -> bool:
        """The 总分/合计 line: “合计10092.5” (weight and score glued), “总分 100 92.5”,
        “总分：92.5分” (the score alone)."""
        m = _TOTAL_LINE.match(re.sub(r"\s", " ", self.text[s:e]))
        if not m:
            return False
        # A 合计 line printed first is skipped; one after rows may stand between two parts
        # of a split table: what follows is ours only while it reads as rows.
        if self.rows and self.at_total is None:
            self.at_total = (len(self.rows), len(self.between))
        nums = [(n.start() + s, n.end() + s) for n in re.finditer(r"\d[\d.]*", self.text[s:e])]
        if len(nums) == 2 and all(_valid_number(self.text[a:b]) for a, b in nums):
            w, sc = (float(self.text[a:b]) for a, b in nums)
            self.totals, self.total_span = (w, sc), nums[1]
        elif len(nums) == 1:
            a, b = nums[0]
            digits = self.text[a:b]
            cuts = point_splits(digits, "weight" in self.roles and "score" in self.roles)
            # “总分92.5” is a score alone; a glued “10092.5” is weight and score when the
            # weight is the rows' (or 100), or when no score could be that large (“2523”).
            weights = {100.0, sum(_number(self.text, r.points[0][0]) or 0 for r in self.rows)}
            cuts = [c for c in cuts if c]
            if _valid_number(digits) and float(digits) <= 100:
                cuts = [c for c in cuts if float(digits[: c[0]]) in weights]
            if cuts:
                k = cuts[0][0]
                self.totals = (float(digits[:k]), float(digits[k:]))
                self.total_span = (a + k, b)
            elif _valid_number(digits):
                self.totals, self.total_span = (None, float(digits)), (a, b)
        return True


# --- choosing the splits and building the records -----------------------------------------


def _number(text: str, span: tuple[int, int] | None) -> float | None:
    if span is None:
        return None
    q = parse_quantity(text[span[0] : span[1]])
    return None if q is None or q.value is None else float(q.value)


def _choose(r: _Reader) -> tuple[list[int], bool]:
    """The split of each row, and whether the totals decided between several."""
    default = [0] * len(r.rows)
    ambiguous = [i for i, row in enumerate(r.rows) if len(row.points) > 1]
    weight_total, score_total = r.totals
    if not ambiguous or (weight_total is None and score_total is None):
        return default, False
    n = 1
    for i in ambiguous:
        n *= len(r.rows[i].points)
    if n > _MAX_COMBINATIONS:
        return default, False

    def sums(choice: list[int]) -> tuple[float, float]:
        w = s = 0.0
        for row, k in zip(r.rows, choice, strict=True):
            ws, ss = row.points[k]
            w += _number(r.text, ws) or 0
            s += _number(r.text, ss) or 0
        return w, s

    for pick in itertools.product(*(range(len(r.rows[i].points)) for i in ambiguous)):
        choice = list(default)
        for i, k in zip(ambiguous, pick, strict=True):
            choice[i] = k
        w, s = sums(choice)
        if (weight_total is None or abs(w - weight_total) < 1e-6) and (
            score_total is None or abs(s - score_total) < 1e-6
        ):
            return choice, choice != default
    return default, False


def _records(r: _Reader) -> list[Indicator]:
    choice, by_totals = _choose(r)
    g, out = r.g, []
    for row, k in zip(r.rows, choice, strict=True):
        loc = LOCATOR + (" (points split by the total score)" if by_totals else "")
        weight, score = row.points[k]

        def value(span: tuple[int, int] | None, loc: str = loc) -> Value | None:
            if span is None:
                return None
            q = indicator_quantity(g.doc.text[span[0] : span[1]])
            return g.text(*span, loc) if q is None else g.quantity(q, span[0], loc)

        def points(span: tuple[int, int] | None) -> Value | None:
            v = value(span)
            return None if v is None else v.model_copy(update={"unit": "分"})

        out.append(
            Indicator(
                level1=row.l1,
                level2=row.l2,
                level3=g.text(*row.name, loc),
                target=value(row.target),
                actual=value(row.actual),
                weight=points(weight),
                score=points(score),
                deviation=g.text(*row.deviation, loc) if row.deviation else None,
            )
        )
    return out


def _total_value(r: _Reader) -> Value | None:
    if r.total_span is None:
        return None
    a, b = r.total_span
    q = parse_quantity(r.text[a:b])
    if q is None:
        return None
    return r.g.quantity(q, a, LOCATOR).model_copy(update={"unit": "分"})


_MAX_SKIPPED = 2  # lines in the table's region that are neither rows nor levels (page numbers)


def _line_spans(g: Grounder, lines: list[Line]) -> list[tuple[int, int]]:
    """The spans of ``lines`` and of the rows of the document's tables, in reading order:
    a text copy whose rows the text reader set apart as a small table between level lines
    (“产出指标” on a line of its own, then tab-separated rows) reads as one 自评表."""
    spans = [g.trim(line.span.start, line.span.end) for line in lines]
    for table in g.doc.tables:
        by_row: dict[int, list[tuple[int, int]]] = {}
        for cell in table.cells:
            if cell.text.strip():
                by_row.setdefault(cell.row, []).append((cell.span.start, cell.span.end))
        spans += [g.trim(min(a for a, _ in c), max(b for _, b in c)) for c in by_row.values()]
    return sorted(spans)


def flat_indicators(g: Grounder, lines: list[Line]) -> FlatIndicators:
    """The rows under the first glued 自评表 header among ``lines`` (prose lines)."""
    text = g.doc.text
    reader: _Reader | None = None
    skipped = 0
    lower_header = False
    for s, e in _line_spans(g, lines):
        if reader is None:
            squeezed = squeeze(text[s:e])
            if not may_name_points(squeezed):
                continue  # neither header nor rubric: both name the points (most lines)
            roles = header_columns(squeezed)
            if is_header(roles):
                reader = _Reader(g, roles)
                lower_header = True
            elif rubric := rubric_columns(squeezed):
                reader = _Reader(g, rubric, rubric=True)
            continue
        if lower_header:
            lower_header = False
            lower = header_columns(squeeze(text[s:e]))
            if len(lower) >= 2 and not re.search(r"\d", text[s:e]) and not is_header(lower):
                reader = _Reader(g, two_row_header(reader.roles, lower))
                continue
        if reader.total_line(s, e):
            continue
        before, n_rows = (reader.l1, reader.l2), len(reader.rows)
        if reader.level_line(s, e) or reader.row(s, e) or reader.named_level_line(s, e):
            reader.noted(before, n_rows)
            skipped = 0
            continue
        if reader.at_total:
            break
        # A row whose cells the shape cannot split (text target and actual that differ)
        # is lost, but the rows after it are still the table's.
        skipped += not (e - s <= 40 and text[e - 1].isdigit())
        if skipped > _MAX_SKIPPED or (reader.rows and e - s > 40):
            break
    if reader is None or not reader.rows:
        return FlatIndicators()
    reader.drop_levels_after_total()
    reader.cost_names_as_level1()
    rows = settle_levels(_records(reader), reader.own, reader.between)
    return FlatIndicators(with_framework_levels(rows), _total_value(reader))
