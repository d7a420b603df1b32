"""Clauses of prose: where a label's figure stands, and what that figure is about.

Owns the template-independent parts of reading “label → value” in a sentence: finding the
quantity a few words after a label (across a colon, a line break, filler such as 为 / 共计 /
累计完成, never across another label), telling money from a percentage or a count, and the
basis of a clause — this year's final figure (决算), the budget (年初预算 / 批复 / 调整后预算)
or another year (上年 / 2022年 in a 2023 report). The words come from the lexicon's
``[words]`` lists. Knows nothing of fields; prose.py, three_public.py and staffing.py
decide which field a label is. Must not read tables.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from service.extract.lexicon import lexicon
from service.extract.meta.dates import YEAR_NUM, year_value
from service.extract.pattern_needs import NeedsIndex
from service.memo import memo
from service.records.numbers import COUNT_UNITS, QUANTITY_RE, Quantity, parse_quantity

# Between a label and its figure: what the reports write there (为, 共计, 累计完成, a colon,
# a bracketed remark) and at most this many other characters (“项目支出主要用于某某资金
# 203万元” names a part, not the total).
WINDOW = 6
_CLAUSE_BREAK = "，,；;。"
_YEAR = re.compile(r"(20\d\d)\s*年")
_TITLE_YEAR = re.compile("(" + YEAR_NUM + r")\s*年度")
_PARTS = re.compile(r"[\s,，、;；]*其中")


@dataclass(frozen=True)
class Hit:
    """A quantity read after a label: ``q``'s offsets are relative to ``offset``."""

    q: Quantity
    offset: int
    kind: str  # money | percent | count | number

    @property
    def start(self) -> int:
        return self.offset + self.q.start

    @property
    def end(self) -> int:
        return self.offset + self.q.end


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    lex = lexicon()
    names = (
        "filler",
        "budget_basis",
        "final_basis",
        "previous_year",
        "current_year",
        "year_comparison",
        "change_words",
        "lead_heading",
        "other_subject",
        "value_stop",
    )
    return {n: re.compile(lex.words_pattern(n)) for n in names}


def words(name: str) -> re.Pattern[str]:
    """The lexicon's ``[words]`` list ``name`` as one compiled pattern."""
    return _patterns()[name]


def report_year(text: str) -> int | None:
    """The year the report evaluates: the first “20XX年度” (or “二〇二三年度”) of the
    document, else the most mentioned year."""
    m = _TITLE_YEAR.search(text, 0, 2000)
    if m:
        return year_value(m.group(1))
    years = Counter(int(y) for y in _YEAR.findall(text))
    return years.most_common(1)[0][0] if years else None


def quantity_at(src: str, pos: int) -> Hit | None:
    """The quantity starting at ``pos`` (a digit), with what kind of figure it is."""
    m = QUANTITY_RE.match(src, pos)
    if not m or not m.group("num"):
        return None
    after = src[m.end() : m.end() + 1]
    # 3万人, 2万册: ten thousand of something, not money
    read = _read_figure(m.group(0), m.group("unit") == "万" and "\u4e00" <= after <= "\u9fff")
    return None if read is None else Hit(read[0], pos, read[1])


@memo(4096)
def _read_figure(text: str, ten_thousand_of: bool) -> tuple[Quantity, str] | None:
    """The quantity a figure's text states (its offsets those of the text) and its kind.
    Kept per text: the readers read the same figure again (a label's, then a 三公 item's
    or a check's), and parsing one costs more than the rest of finding it."""
    q = parse_quantity(text)
    if q is None:
        return None
    q = Quantity(**{**q.__dict__, "start": 0, "end": len(text)})
    if ten_thousand_of:
        return q, "count"
    if q.is_money:
        return q, "money"
    if q.unit in ("%", "‰"):
        return q, "percent"
    if q.unit in COUNT_UNITS:
        return q, "count"
    return q, "number"


_YEAR_OR_DATE = re.compile(r"\d{4}\s*年(?:度|末|底)?(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?")


def _is_year(src: str, pos: int) -> int:
    """The end of a year or date written at ``pos`` (2023年, 2023年12月31日), else -1."""
    m = _YEAR_OR_DATE.match(src, pos)
    return m.end() if m else -1


def value_after(src: str, pos: int, limit: int) -> Hit | None:
    """The first figure after a label ending at ``pos``, before ``limit`` (the next label
    or the end of the sentence): filler, a colon, a bracketed remark and a line break may
    stand between; a clause break only after nothing but filler. Years are skipped; the
    first other figure is the answer, whatever its kind (a percentage is never money)."""
    filler = words("filler")
    i = pos
    only_filler = True
    crossed = False
    colon = False  # a colon crossed after nothing but filler: “项目支出：…”
    end = min(limit, len(src))
    stretch = 0
    while i < end:
        ch = src[i]
        if ch.isdigit() or (ch in "-−" and i + 1 < end and src[i + 1].isdigit()):
            y = _is_year(src, i) if ch.isdigit() else 0
            if y > 0:
                i, only_filler = y, False
                continue
            return quantity_at(src, i)
        if ch in ":：\n":
            if not only_filler and ch != "\n":
                return None  # “公用经费补助：…”: the label is part of a longer name heading
            colon = colon or only_filler  # a label before its colon or ending its line heads
            # past a line's end (a heading: 二、部门整体支出情况) only filler may stand: the
            # next line's words make its own sentence (2022年度收入合计520万元)
            crossed = crossed or ch == "\n"
        m = filler.match(src, i)
        if m and m.end() > i:
            i = m.end()
            continue
        if ch in _CLAUSE_BREAK or src.startswith("\n\n", i):
            if not only_filler:
                return None
            crossed = True
            i += 1
            continue
        if ch.isspace():
            i += 1
            continue
        if crossed or (colon and _names_an_item(src, i, filler)):
            # “执行率，年度目标≥95%”: past a break only filler may stand; “项目支出：会务经费
            # 40万元；…”: past the label's colon a name of its own owns the figure after it
            return None
        only_filler = False
        stretch += 1
        if (
            stretch > WINDOW
            or words("change_words").match(src, i)
            or words("value_stop").match(src, i)
        ):
            return None  # too far, a change (增加 / 减少 …) or a part (主要用于 …), not the level
        i += 1
    return None


# A figure stated before its label: “其中：400万元用于人员经费，…”, “50万元为公用经费”.
_FIGURE_FIRST = re.compile(
    r"\s*(?:(?:其中|包括|包含|含|分别是|有)\s*[:：]?)?\s*(?P<num>\d[\d,.]*)\s*(?:万元|元|亿元)\s*"
    r"(?:主要|全部|均|专项)?(?:用于|用在|为|是|属于?|系)(?:支付|保障)?\s*$"
)
_THOUSANDS = re.compile(r"\d,\d{3}(?!\d)")
# What may follow such a label to the end of its clause.
_LABEL_CLOSES = re.compile(r"\s*(?:支出|开支|方面|等)?\s*(?:[，,、；;。)）]|$)")


def value_before(src: str, start: int, label_start: int, label_end: int) -> Hit | None:
    """The money figure the label's clause opens with when the label closes the clause
    (“400万元用于人员经费，”): the figure before the label is its figure."""
    clause = start
    for i in range(label_start - 1, start - 1, -1):
        if src[i] in "，、；;。:：(（" or (src[i] == "," and not _THOUSANDS.match(src, i - 1)):
            clause = i + 1
            break
    m = _FIGURE_FIRST.fullmatch(src, clause, label_start)
    if m is None or not _LABEL_CLOSES.match(src, label_end):
        return None
    found = quantity_at(src, m.start("num"))
    return found if found is not None and found.kind == "money" else None


def value_named_again(src: str, start: int, label_start: int, label_end: int) -> Hit | None:
    """The figure of the clause before, when the label names it again after 即 (“本年财政
    拨款520万元，即收入总额”): one figure, two names, both stated."""
    pos = max(start, label_start - 40)
    if not _AGAIN_WORD.search(src, pos, label_start):
        return None  # no 即 before the label (a search: the full pattern backtracks)
    m = _NAMED_AGAIN.fullmatch(src, pos, label_start)
    if m is None or not _LABEL_CLOSES.match(src, label_end):
        return None
    found = quantity_at(src, m.start("num"))
    return found if found is not None and found.kind == "money" else None


# The figure of the clause before, named again: “本年财政拨款520万元，即收入总额”.
_NAMED_AGAIN = re.compile(
    r".*?(?<![\d.,])(?P<num>\d[\d,.]*)\s*(?:万元|元|亿元)\s*[，,]\s*(?:即|也就是|亦即|也即)\s*(?:全部|均)?\s*(?:为|是|来自|系)?\s*"
)


# Words every 即-clause holds (即 / 也就是 / 亦即 / 也即).
_AGAIN_WORD = re.compile(r"即|也就是")


# After a label, a comparison with last year's figure and the change, then this year's
# figure: “本年支出较上年的480.2万元增加40.1万元，达到520.3万元”, “由上年的600万元增加到…”.
_FIG = r"\d[\d,.]*\s*(?:万元|元|亿元|%)?"
_PAST_CHANGE = re.compile(
    r"\s*(?:(?:比|较|与|同)\s*(?:上年度?|上一年度?|去年|上年同期|20\d\d\s*年度?)(?:同期)?\s*(?:的)?"
    rf"\s*(?:数|金额)?\s*{_FIG}\s*(?:相比)?\s*[，,]?\s*"
    r"(?:增加|减少|增长|下降|上升|降低|减|增)了?\s*"
    + _FIG
    + r"\s*[，,]?\s*(?:达到|达|为|增至|降至|减至|至|到)"
    r"|(?:由|从)\s*(?:上年度?|上一年度?|去年|20\d\d\s*年度?)(?:的)?\s*"
    + _FIG
    + r"\s*(?:增加|减少|增长|下降|上升|降低|调增|调减)(?:到|至))\s*(?=\d)"
)


def value_past_change(src: str, pos: int, limit: int) -> Hit | None:
    """This year's figure after last year's and the change (see ``_PAST_CHANGE``)."""
    end = past_change_end(src, pos, limit)
    return quantity_at(src, end) if end is not None else None


def past_change_end(src: str, pos: int, limit: int) -> int | None:
    """Where this year's figure starts after a comparison right after a label, if one is."""
    m = _PAST_CHANGE.match(src, pos, limit)
    return m.end() if m else None


_RESTATED = re.compile(r"(?:支出|收入|金额|决算|预算|执行|合计|总额|总计|共计|累计|数)$")


def _names_an_item(src: str, i: int, filler: re.Pattern[str]) -> bool:
    """Whether the words at ``i`` (after a label and its colon) are a name of their own
    — two or more characters up to a figure that no filler word explains — so the figure
    after them is that item's, not the label's (an enumeration under the label)."""
    j = i
    while j < len(src) and "\u4e00" <= src[j] <= "\u9fff":
        if filler.match(src, j) and filler.match(src, j).end() > j:
            break
        j += 1
    run = src[i:j]
    while j < len(src) and src[j] in " \u3000":  # “法律服务经费 38.00 万元”
        j += 1
    restated = _RESTATED.search(run)  # “项目支出：本年支出65万元” restates the label's figure
    return len(run) >= 2 and j < len(src) and src[j].isdigit() and not restated


def sentence_end(src: str, pos: int, end: int) -> int:
    """Where the sentence holding ``pos`` ends (after 。；), at most ``end``."""
    for i in range(pos, end):
        if src[i] in "。；;!?！？":
            return i + 1
    return end


@dataclass
class ClauseBasis:
    """What the clauses of one sentence are about: ``of(label_start)`` says ``final``,
    ``budget`` or ``previous`` for a figure whose label starts there. ``masked`` spans
    (the labels themselves: 一般公共预算收入 is not a budget clause) are ignored."""

    src: str
    start: int
    end: int
    year: int | None
    masked: list[tuple[int, int]]

    def _free(self, s: int, e: int) -> bool:
        return not any(a <= s and e <= b for a, b in self.masked)

    def _events(self, upto: int) -> list[tuple[int, int, str]]:
        """(start, end, kind) of the basis words before ``upto``."""
        src, out = self.src, []
        cmp_spans = [
            (m.start(), m.end()) for m in words("year_comparison").finditer(src, self.start, upto)
        ]

        def in_cmp(s: int) -> bool:
            return any(a <= s < b for a, b in cmp_spans)

        for kind in ("budget_basis", "final_basis", "previous_year", "current_year"):
            for m in words(kind).finditer(src, self.start, upto):
                if self._free(m.start(), m.end()) and not in_cmp(m.start()):
                    out.append((m.start(), m.end(), kind))
        for m in _YEAR.finditer(src, self.start, upto):
            if self.year is None or in_cmp(m.start()):
                continue
            kind = "current_year" if int(m.group(1)) == self.year else "previous_year"
            out.append((m.start(), m.end(), kind))
        return sorted(out)

    def _closed(self, end: int, label_start: int) -> bool:
        """Whether a basis word ending at ``end`` had its own figure before the label
        (年初预算1,100万元，… / 上年支出1,161.51万元，…) and no “其中” carries it on to the
        parts after that figure."""
        hit = value_after(self.src, end, label_start)
        return (
            hit is not None
            and hit.end <= label_start
            and not _PARTS.match(self.src, hit.end, label_start)
        )

    def of(self, label_start: int) -> str:
        """``final``, ``budget`` or ``previous`` for a figure whose label starts there. A
        basis word speaks for its own figure (and the parts after it) or, when it heads the
        sentence (预算安排情况：… / 2022年，…), for everything after it; a bracketed remark
        speaks only inside its brackets."""
        brackets = _closed_brackets(self.src, self.start, label_start)
        basis = "final"
        year_basis = "final"
        for s, e, kind in self._events(label_start):
            if any(a < s < b for a, b in brackets):
                continue
            if kind == "budget_basis":
                basis = "final" if self._closed(e, label_start) else "budget"
            elif kind == "final_basis":
                basis = "final"
            elif kind == "previous_year":
                year_basis = "final" if self._closed(e, label_start) else "previous"
            else:
                year_basis = "final"
        return "previous" if year_basis == "previous" else basis


def _closed_brackets(src: str, start: int, end: int) -> list[tuple[int, int]]:
    """(open, close) of the brackets in [start, end) that close before ``end``."""
    out, stack = [], []
    for m in _BRACKET.finditer(src, start, end):  # the brackets only, not every character
        if m.group(0) in "(（":
            stack.append(m.start())
        elif stack:
            out.append((stack.pop(), m.start()))
    return out


_BRACKET = re.compile(r"[(（)）]")


@dataclass(frozen=True)
class LabelHit:
    """A label of ``key`` (a field path or a 三公 item) at [start, end) of the text."""

    key: str
    start: int
    end: int


class LabelPatterns:
    """Label patterns, each with its field or item key, ready for ``find_labels``: each
    with the strings one of which its match must hold (pattern_needs.py), so that a
    sentence is searched only with the patterns whose words stand in it — a few substring
    tests instead of a search per pattern. Iterates as (key, pattern)."""

    def __init__(self, patterns: list[tuple[str, re.Pattern[str]]]) -> None:
        self.patterns = list(patterns)
        self._index = NeedsIndex([rx for _, rx in self.patterns])

    def __iter__(self) -> Iterator[tuple[str, re.Pattern[str]]]:
        return iter(self.patterns)

    def __len__(self) -> int:
        return len(self.patterns)

    def __add__(self, more: list[tuple[str, re.Pattern[str]]]) -> LabelPatterns:
        return LabelPatterns(self.patterns + list(more))

    def candidates(self, src: str, start: int, end: int) -> list[tuple[str, re.Pattern[str]]]:
        """The patterns that can match in [start, end), in their order."""
        return [self.patterns[i] for i in self._index.possible(src, start, end)]


def find_labels(src: str, start: int, end: int, patterns: LabelPatterns) -> list[LabelHit]:
    """Every label in [start, end), leftmost first; at one place the longest wins and a
    label inside another is no label of its own (项目支出 holds 支出)."""
    hits = [
        LabelHit(key, m.start(), m.end())
        for key, rx in patterns.candidates(src, start, end)
        for m in rx.finditer(src, start, end)
        if m.end() > m.start()
    ]
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    out: list[LabelHit] = []
    for h in hits:
        if out and h.start < out[-1].end:
            continue
        out.append(h)
    return out


_RUN_SEP = re.compile(r"\s*(?:、|和|及|与|以及|,|，)\s*")
_RESPECTIVELY = re.compile(r"\s*(?:分别|依次)(?:为|是|达到|达|完成|支出)?\s*[:：]?\s*")


def respective(src: str, hits: list[LabelHit]) -> dict[int, Hit]:
    """“基本支出、项目支出分别为800万元、400万元”: labels joined by 、/和 and followed by
    分别为, then as many figures in the same order. Returns the figure of each such label
    (by its index in ``hits``)."""
    out: dict[int, Hit] = {}
    i = 0
    while i < len(hits):
        j = i
        while j + 1 < len(hits) and _RUN_SEP.fullmatch(src, hits[j].end, hits[j + 1].start):
            j += 1
        m = _RESPECTIVELY.match(src, hits[j].end) if j > i else None
        figures = _figures(src, m.end(), j - i + 1) if m and m.end() > hits[j].end else []
        if len(figures) == j - i + 1:
            out.update(zip(range(i, j + 1), figures, strict=True))
        i = j + 1
    return out


def _figures(src: str, pos: int, count: int) -> list[Hit]:
    """``count`` figures in a row from ``pos``, separated by 、，和."""
    out: list[Hit] = []
    while len(out) < count and pos < len(src) and (src[pos].isdigit() or src[pos] in "-−"):
        found = quantity_at(src, pos)
        if found is None:
            break
        out.append(found)
        sep = _RUN_SEP.match(src, found.end)
        pos = sep.end() if sep else found.end
    return out
