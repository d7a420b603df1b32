"""Running-text helpers shared by the rule passes: prose regions, paragraphs, sentences.

Owns: where prose stands in ``Document.text`` (everything outside tables, except
label–value lines a reader took for a table: “收入合计<TAB>1520.00万元”) and how it is
cut into paragraphs and sentences without losing offsets. Must not extract values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from service.document import Document, Table
from service.records.numbers import parse_quantity

# A line that starts a numbered item or heading: a paragraph starts there even when the
# previous line does not end a sentence (PDF lines wrap inside paragraphs).
_ITEM_START = re.compile(
    r"\s*(?:[一二三四五六七八九十]+\s*[、.]|[(（]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]|"
    r"\d{1,2}\s*[、.](?!\d)|附\s*件|[-•·]\s)"
)
_SENTENCE_END = "。；;!?！？"
_SENTENCE_MARK = re.compile(f"[{re.escape(_SENTENCE_END)}]")
_NOT_SPACE = re.compile(r"\S")  # what str.strip() keeps: \s is str.isspace()
# Page furniture a PDF reader keeps as lines: “- 1 -”, “第 2 页 共 9 页”, “3/9”.
PAGE_NUMBER = re.compile(
    r"\s*(?:[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4})\s*"
)


@dataclass(frozen=True)
class Block:
    start: int
    end: int


def prose_regions(doc: Document) -> list[Block]:
    """[start, end) ranges of the text outside tables. A label–value list (“收入合计<TAB>1520.00
    万元” lines, which a reader may take for a two-column table) is prose: a label and its
    figure separated by a tab are a sentence like any other."""
    out: list[Block] = []
    pos = 0
    tables = [t for t in doc.tables if not label_value_list(t)]
    for table in sorted(tables, key=lambda t: t.span.start):
        if table.span.start > pos:
            out.append(Block(pos, table.span.start))
        pos = max(pos, table.span.end)
    if pos < len(doc.text):
        out.append(Block(pos, len(doc.text)))
    return out


_LABEL = re.compile(r"[^\d\s][^\d]{0,24}")


def label_value_list(table: Table) -> bool:
    """Whether a table is label–value lines: each row a label (words, no figure) and a
    figure with its unit (万元, %, 人 …) opening the value, nothing else (empty cells from
    doubled tabs aside), no header row."""
    if table.n_cols > 4 or table.n_rows > 20:
        return False
    rows: dict[int, list[tuple[int, str]]] = {}
    for cell in table.cells:
        if cell.text.strip():
            rows.setdefault(cell.row, []).append((cell.col, cell.text.strip()))
    return bool(rows) and all(_label_and_figure(sorted(r)) for r in rows.values())


def _label_and_figure(cells: list[tuple[int, str]]) -> bool:
    """A label, then cells that open with a figure: one (收入合计 | 1520.00万元), or several
    where the sentence goes on in them (本年收入合计 | 1520.00万元，本年支出合计 | 1498.30万元。);
    bare figures side by side are a table's columns."""
    if len(cells) < 2 or not _LABEL.fullmatch(cells[0][1]):
        return False
    rest = [text for _, text in cells[1:]]
    if not all(_opens_with_figure(text) for text in rest):
        return False
    return len(rest) == 1 or any(_FIGURE_TEXT.match(text) for text in rest)


_FIGURE = re.compile(r"[\d.,]+\s*\S{0,2}")
# A figure and a sentence going on after it (1520.00万元，本年支出合计).
_FIGURE_TEXT = re.compile(r"[\d.,]+\s*\S{0,2}\s*[，,；;、]\s*[\u4e00-\u9fff]")


def _opens_with_figure(text: str) -> bool:
    figure = _FIGURE.match(text)
    q = parse_quantity(figure.group(0)) if figure else None
    return q is not None and q.unit is not None


def paragraphs(doc: Document) -> Iterator[Block]:
    """Paragraphs of prose. Consecutive non-blank lines join (even across blank lines and
    page breaks, which exported reports put inside sentences) unless the first ends a
    sentence or is a heading (a short line), or the second starts a numbered item after a
    blank line or a sentence end (a PDF line may wrap just before “(3)” inside a list).
    Page numbers between the lines are skipped."""
    for lines in paragraph_lines(doc):
        yield Block(lines[0][0], lines[-1][1])


def paragraph_lines(doc: Document) -> Iterator[list[tuple[int, int]]]:
    """The lines (start, end) of each paragraph, page furniture left out."""
    text = doc.text
    for region in prose_regions(doc):
        para: list[tuple[int, int]] = []
        for s, e, blank_before in _lines(text, region.start, region.end):
            if PAGE_NUMBER.fullmatch(text, s, e):
                continue
            if not para:
                para = [(s, e)]
                continue
            prev = text[para[-1][0] : para[-1][1]].rstrip()
            ends_sentence = prev[-1:] in _SENTENCE_END + ":："
            split = (
                ends_sentence
                or len(prev.strip()) < 25
                or (blank_before and bool(_ITEM_START.match(text[s:e])))
                or _next_item(text, para[0], (s, e))
            )
            if split:
                yield para
                para = [(s, e)]
            else:
                para.append((s, e))
        if para:
            yield para


_CN_DIGITS = "一二三四五六七八九十"
_ITEM_NUMBER = re.compile(
    rf"\s*(?:(?P<arabic>\d{{1,2}})\s*[、.．](?!\d)|[(（]\s*(?P<paren>\d{{1,2}})\s*[)）]"
    rf"|[(（]\s*(?P<paren_cn>[{_CN_DIGITS}]{{1,3}})\s*[)）]|(?P<cn>[{_CN_DIGITS}]{{1,3}})\s*[、.．])"
)


def _item_number(line: str) -> tuple[str, int] | None:
    """(style, number) of the item marker a line starts with (“2.”, “（3）”, “四、”)."""
    m = _ITEM_NUMBER.match(line)
    if m is None:
        return None
    style = m.lastgroup or ""
    raw = m.group(style)
    if raw.isdigit():
        return style, int(raw)
    if len(raw) == 1:
        return style, _CN_DIGITS.index(raw) + 1
    tens, _, ones = raw.partition("十")
    return style, (_CN_DIGITS.index(tens) + 1 if tens else 1) * 10 + (
        _CN_DIGITS.index(ones) + 1 if ones else 0
    )


def _next_item(text: str, first: tuple[int, int], line: tuple[int, int]) -> bool:
    """Whether ``line`` opens the item after the one its paragraph opened with (“1.…”
    wrapped or not, then “2.…” on a line of its own): list items stated one per line
    without sentence ends (“1.A工程  预算…万元  支出…万元”) are paragraphs of their own."""
    this = _item_number(text[line[0] : line[1]])
    if this is None:
        return False
    opened = _item_number(text[first[0] : first[1]])
    return opened is not None and opened[0] == this[0] and opened[1] + 1 == this[1]


def _lines(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """Non-blank lines of text[start:end], trimmed, each with whether a blank line (or a
    page break) stands before it."""
    out: list[tuple[int, int, bool]] = []
    pos = start
    blank = False
    for m in _LINE_BREAK.finditer(text, start, end):  # the breaks found in one pass
        blank = _line(text, pos, m.start(), blank, out) or m.group(0) == "\f"
        pos = m.end()
    if pos < end:
        _line(text, pos, end, blank, out)
    return out


def _line(text: str, start: int, end: int, blank: bool, out: list[tuple[int, int, bool]]) -> bool:
    """Adds the line [start, end) trimmed unless it is blank; whether a blank line now
    stands before the next one."""
    line = text[start:end]
    trimmed = line.strip(_LINE_SPACE)
    if not trimmed:
        return True
    s = start + len(line) - len(line.lstrip(_LINE_SPACE))
    out.append((s, s + len(trimmed), blank))
    return False


_LINE_BREAK = re.compile(r"[\n\f]")
_LINE_SPACE = " \t\u3000"


@dataclass
class ProseView:
    """The prose of a document with the line breaks inside paragraphs removed, so that a
    figure or a keyword wrapped over two lines (“18.66 万\n元”, “下\n降”) reads whole.
    ``offsets[i]`` is the document offset of view character ``i``; paragraphs are
    separated by a blank line and listed in view coordinates."""

    text: str
    offsets: list[int]
    paragraphs: list[Block]

    def to_doc(self, start: int, end: int) -> tuple[int, int]:
        if end <= start:
            d = self.offsets[min(start, len(self.offsets) - 1)]
            return d, d
        return self.offsets[start], self.offsets[end - 1] + 1


def build_view(doc: Document) -> ProseView:
    text = doc.text
    chars: list[str] = []
    offsets: list[int] = []
    blocks: list[Block] = []
    for lines in paragraph_lines(doc):
        if chars:
            chars.extend("\n\n")
            offsets.extend([offsets[-1], offsets[-1]])
        start = len(chars)
        for k, (s, e) in enumerate(lines):
            if k:
                # Join the wrapped line; Latin words on both sides keep a space between,
                # digits do not (a figure wrapped inside: “3\n06.35万元”).
                before, after = chars[-1] if chars else "", text[s]
                if _latin(before) and _latin(after) and not (before.isdigit() and after.isdigit()):
                    chars.append(" ")
                    offsets.append(s - 1)
            chars.extend(text[s:e])
            offsets.extend(range(s, e))
        blocks.append(Block(start, len(chars)))
    offsets.append(len(text))
    return ProseView(text="".join(chars), offsets=offsets, paragraphs=blocks)


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def sentences(text: str, start: int, end: int) -> Iterator[Block]:
    """Sentences of text[start:end], cut after 。；!? (the mark stays in the sentence)."""
    s = start
    for m in _SENTENCE_MARK.finditer(text, start, end):  # not a test per character
        i = m.start()
        if _NOT_SPACE.search(text, s, i + 1):  # (no slice to strip)
            yield Block(s, i + 1)
        s = i + 1
    if _NOT_SPACE.search(text, s, end):
        yield Block(s, end)


class Place:
    """A paragraph's locator (``locator_of(offset)``: the section it stands in), named on
    first use: most paragraphs state no figure, and naming a section walks the section
    tree. Formats as the name (``f"{loc} cue:…"``); ``str(place)`` where a string is due."""

    __slots__ = ("_locator_of", "_name", "_offset")

    def __init__(self, locator_of: Callable[[int], str], offset: int) -> None:
        self._locator_of = locator_of
        self._offset = offset
        self._name: str | None = None

    def __str__(self) -> str:
        if self._name is None:
            self._name = self._locator_of(self._offset)
        return self._name

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)
