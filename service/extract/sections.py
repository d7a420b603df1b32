"""The section tree of a report: numbered headings with their spans.

Owns: recognising headings (一、 / （一） / 1. 1、 / （1） / 附件1, a few unnumbered
headings such as “2024 年实际完成情况：”) and the numbering artefacts of exported reports
(“4、” standing for 四、, “（1）” standing for （一） directly under a top-level heading).
Works on ``Document.text`` outside tables; returns plain dataclasses with spans. Must not
extract values (rules.py and friends do) nor touch the document model.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

from service.document import Document, Span
from service.records.numbers import parse_chinese_integer

_CN = "一二三四五六七八九十"
_L1_CN = re.compile(rf"^\s*([{_CN}]+)\s*[、.,]\s*(.+)$")
_L1_ARABIC = re.compile(r"^\s*(\d{1,2})\s*、\s*(.+)$")
_L2 = re.compile(rf"^\s*[-•·]?\s*[(（]\s*([{_CN}]+)\s*[)）]\s*(.+)$")
_L3 = re.compile(r"^\s*(\d{1,2})\s*(?:[.．、](?!\d))\s*(.+)$")
_L4 = re.compile(r"^\s*[-•·]?\s*[(（]\s*(\d{1,2})\s*[)）]\s*(.+)$")
_PART = re.compile(rf"^\s*第\s*([{_CN}\d]{{1,3}})\s*(?:部分|章)\s*[、.,:：]?\s*(.+)$")
_CIRCLED = re.compile(r"^\s*(\d{1,2})(?=[\u4e00-\u9fff])(.{2,20})$")
# “附件1 …”, “附件：…”, “附表：部门整体支出绩效自评表”, “附表2” — an annex, not part of the
# section before it (its title is no measure nor problem of that section).
_ANNEX = re.compile(
    r"^\s*附\s*[件表]\s*(?:(\d{1,2})\s*[:：]?|[:：])\s*([^。；;]{0,40})$|^\s*附\s*[件表]\s*()()$"
)
# Unnumbered lines that open a part of the report in the templates seen so far.
_UNNUMBERED = re.compile(
    r"^\s*(?:\d{4}\s*年(?:度)?)?\s*(实际完成情况|工作开展情况|主要工作完成情况|"
    r"其他需要说明的情况|存在的问题|改进措施|下一步工作打算)\s*[:：]?\s*$"
)


@cache
def _list_heading() -> re.Pattern[str]:
    """An unnumbered line that is only the heading words of the problems, measures or
    achievements (“存在的主要问题”, “改进方向：”, “2023年度履职情况”): the words are the
    lexicon's (lists.toml)."""
    from service.extract.lexicon import lexicon

    lex = lexicon()
    words = "|".join(
        lex.field(p).label_pattern()
        for p in ("problems[].text", "measures[].text", "achievements[].text")
    )
    return re.compile(
        rf"^\s*(?:\d{{4}}\s*年度?)?\s*(?:[^\s，,。；;:：]{{0,8}}?)(?:{words})"
        rf"(?:[^\s，,。；;:：]{{0,8}})\s*[:：]?\s*$"
    )


# How a locator writes each numbering style's number (a style not listed: the number alone).
_MARKERS = {
    "cn": "{}、",
    "arabic_top": "{}、",
    "arabic_dot": "{}.",
    "circled": "({})",
    "paren_cn": "({})",
    "arabic": "{}.",
    "paren_arabic": "({})",
    "annex": "附件{}",
}


def _start(section: Section) -> int:
    return section.span.start


@dataclass
class Section:
    """A heading and everything under it up to the next heading of the same or higher level."""

    level: int  # 0 root, 1 一、, 2 （一）, 3 1., 4 （1）
    number: str | None
    title: str
    heading: Span
    span: Span
    style: str = ""
    children: list[Section] = field(default_factory=list)
    parent: Section | None = field(default=None, repr=False)
    _disjoint_of: tuple[list[Section], int, bool] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def body(self) -> Span:
        return Span(start=self.heading.end, end=self.span.end)

    def walk(self) -> Iterator[Section]:
        yield self
        for child in self.children:
            yield from child.walk()

    def ancestors(self) -> list[Section]:
        out, node = [], self.parent
        while node is not None and node.level > 0:
            out.append(node)
            node = node.parent
        return out

    def label(self) -> str:
        """'二、(一)' style path of numbers, for locators."""
        parts = [s._marker() for s in reversed([self, *self.ancestors()])]
        return "".join(p for p in parts if p)

    def _marker(self) -> str:
        if self.number is None:
            return self.title[:8]
        form = _MARKERS.get(self.style)
        return self.number if form is None else form.format(self.number)

    def find(self, pattern: str | re.Pattern[str], level: int | None = None) -> list[Section]:
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        return [
            s
            for s in self.walk()
            if s.level > 0 and rx.search(s.title) and (level is None or s.level == level)
        ]

    def innermost(self, offset: int) -> Section:
        """The deepest section whose span holds ``offset``."""
        kids = self.children
        if len(kids) > 8 and self._disjoint():  # by bisection: joined reports have hundreds
            i = bisect.bisect_right(kids, offset, key=_start) - 1
            if i >= 0 and kids[i].span.start <= offset < kids[i].span.end:
                return kids[i].innermost(offset)
            return self
        for child in kids:
            if child.span.start <= offset < child.span.end:
                return child.innermost(offset)
        return self

    def _disjoint(self) -> bool:
        """Whether the children follow each other without overlapping (then at most one
        holds an offset: the last starting at or before it), checked once per list."""
        kids = self.children
        held = self._disjoint_of
        if held is None or held[0] is not kids or held[1] != len(kids):
            ok = all(a.span.end <= b.span.start for a, b in itertools.pairwise(kids))
            held = self._disjoint_of = (kids, len(kids), ok)
        return held[2]


@dataclass
class _Heading:
    level: int
    number: str | None
    title: str
    start: int
    end: int
    style: str


def _line_spans(doc: Document) -> Iterator[tuple[int, int]]:
    """Spans of the running-text lines outside tables, in order."""
    table_spans = sorted((t.span.start, t.span.end) for t in doc.tables)
    pos, text = 0, doc.text
    ti = 0
    # The next line and page break at or after ``pos``, found again only once passed: a
    # search from every line was quadratic where the text has no page break left to find.
    next_nl = next_ff = -1
    while pos < len(text):
        while ti < len(table_spans) and table_spans[ti][1] <= pos:
            ti += 1
        if ti < len(table_spans) and table_spans[ti][0] <= pos < table_spans[ti][1]:
            pos = table_spans[ti][1]
            continue
        if next_nl < pos:
            next_nl = _find(text, "\n", pos)
        if next_ff < pos:
            next_ff = _find(text, "\f", pos)
        nl = min(next_nl, next_ff)
        if ti < len(table_spans):
            nl = min(nl, max(table_spans[ti][0], pos))
        if nl > pos:
            yield pos, nl
        pos = nl + 1 if nl < len(text) and text[nl] in "\n\f" else max(nl, pos + 1)


def _find(text: str, sep: str, pos: int) -> int:
    """The offset of ``sep`` at or after ``pos``; the text's length when there is none."""
    i = text.find(sep, pos)
    return len(text) if i == -1 else i


def _number(token: str) -> int | None:
    return int(token) if token.isdigit() else parse_chinese_integer(token)


def _classify(
    line: str, expected_top: int, open_levels: set[int], top_style: str | None = None
) -> tuple[int, str, str, str] | None:
    """(level, number, title, style) when ``line`` is a heading. ``top_style`` is the
    style of the last top-level heading ("" before any heading at all)."""
    """(level, number, title, style) when ``line`` is a heading."""
    if m := _ANNEX.match(line):
        number = m.group(1) or ""
        return 1, number, (m.group(2) or f"附件{number}").strip(), "annex"
    if m := _PART.match(line):
        # “第四部分 主要工作成效”: a part of the report, above its 一、 headings
        return 1, m.group(1), m.group(2).strip(), "part"
    if m := _L1_CN.match(line):
        return 1, m.group(1), m.group(2).strip(), "cn"
    if m := _L2.match(line):
        return 2, m.group(1), m.group(2).strip(), "paren_cn"
    if (
        (m := _L1_ARABIC.match(line))
        and int(m.group(1)) == expected_top
        and _short_heading(m.group(2))
    ):
        # “4、” for 四、: an exported report's top-level numbering artefact.
        return 1, m.group(1), m.group(2).strip(), "arabic_top"
    if got := _arabic_dot_top(line, expected_top, top_style):
        return got
    if m := _L4.match(line):
        # “（1）” directly under a top-level heading stands for （一） (seed 000, 八、).
        level = 4 if open_levels & {2, 3} else 2
        return level, m.group(1), m.group(2).strip(), "paren_arabic"
    if m := _L3.match(line):
        return 3, m.group(1), m.group(2).strip(), "arabic"
    if m := _UNNUMBERED.match(line):
        return 1, None, m.group(0).strip().rstrip(":："), "unnumbered"
    if len(line.strip()) <= 20 and (m := _list_heading().match(line)):
        return 1, None, m.group(0).strip().rstrip(":："), "unnumbered"
    if (m := _CIRCLED.match(line)) and _list_heading().match(m.group(2)):
        # “①存在的问题”, which NFKC reads as “1存在的问题”
        return 4, m.group(1), m.group(2).strip().rstrip(":："), "circled"
    return None


def _arabic_dot_top(
    line: str, expected_top: int, top_style: str | None
) -> tuple[int, str, str, str] | None:
    """“6.存在的主要问题” after a “5.” part: a report numbering its parts 1. 2. 3. (the
    first “1.” only when no heading stands before it)."""
    m = _L3.match(line)
    if m is None or int(m.group(1)) != expected_top or not _short_heading(m.group(2)):
        return None
    if (top_style == "" and expected_top == 1) or top_style == "arabic_dot":
        return 1, m.group(1), m.group(2).strip(), "arabic_dot"
    return None


def _short_heading(title: str) -> bool:
    title = title.strip()
    return 0 < len(title) <= 30 and not re.search(r"[。:：;；]", title)


def _title_of(title: str) -> str:
    """A heading line that runs on into its paragraph keeps only its first sentence."""
    m = re.match(r"^(.{2,60}?)[。：:](?=.)", title)
    return (m.group(1) if m else title).strip()


def build_sections(doc: Document) -> Section:
    """The section tree of ``doc``; the root spans the whole text."""
    headings: list[_Heading] = []
    expected_top = 1
    open_levels: set[int] = set()
    styles: dict[int, str] = {}  # style of the open heading at each level
    top_style = ""
    for start, end in _line_spans(doc):
        line = doc.text[start:end]
        # A “（1）” standing for （一） makes the “（2）” after it its sibling, not its child.
        seen = open_levels - {2} if styles.get(2) == "paren_arabic" else open_levels
        got = _classify(line, expected_top, seen, top_style if headings else "")
        if got is None:
            continue
        level, number, title, style = got
        if level == 1:
            top_style = style
        if level == 1 and number is not None and style in ("cn", "arabic_top", "arabic_dot"):
            n = _number(number)
            if n is not None:
                expected_top = n + 1
        open_levels = {lv for lv in open_levels if lv < level} | {level}
        styles = {lv: st for lv, st in styles.items() if lv < level} | {level: style}
        headings.append(_Heading(level, number, _title_of(title), start, end, style))
    if any(h.style == "part" for h in headings):
        # 第一部分 … stand above the 一、 headings: every other heading goes one level down.
        for h in headings:
            h.level += h.style != "part"
    root = Section(
        level=0,
        number=None,
        title="",
        heading=Span(start=0, end=0),
        span=Span(start=0, end=len(doc.text)),
    )
    ends = _section_ends(headings, len(doc.text))
    stack = [root]
    for h, end in zip(headings, ends, strict=True):
        while stack[-1].level >= h.level:
            stack.pop()
        node = Section(
            level=h.level,
            number=h.number,
            title=h.title,
            heading=Span(start=h.start, end=h.end),
            span=Span(start=h.start, end=end),
            style=h.style,
            parent=stack[-1],
        )
        stack[-1].children.append(node)
        stack.append(node)
    return root


def _section_ends(headings: list[_Heading], text_end: int) -> list[int]:
    """Where each heading's section ends: at the next heading of the same or a higher
    level, else at the end of the text. One pass with a stack of the headings still open
    (a search forward from every heading was quadratic in a long report's headings)."""
    ends = [text_end] * len(headings)
    open_ones: list[int] = []
    for j, later in enumerate(headings):
        while open_ones and later.level <= headings[open_ones[-1]].level:
            ends[open_ones.pop()] = later.start
        open_ones.append(j)
    return ends
