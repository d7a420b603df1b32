"""Label/value pairs of the cover form and 基本信息 (on lines or in table cells) and the
cover's checkboxes (☒/☐ for the evaluation method and evaluator)."""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterator
from functools import cache

from service.document import Cell, Table
from service.extract.ground import Grounder
from service.extract.meta.cues import (
    CHECKED,
    DEPT,
    FORM_PATHS,
    GRADE,
    NUMBERING,
    OPTION_PATHS,
    SCORE,
    SEAL,
    UNCHECKED,
    YEAR,
    Cue,
    any_label,
    cue,
    eol,
    excluded,
    generic,
    label_pattern,
    unit_kind,
)
from service.extract.meta.dates import YEAR_NUM, find_any_date, year_value
from service.extract.meta.sentences import bare_total, grade_words, score_cue

# --- label/value pairs on lines -----------------------------------------------------------------


def _pair_pattern(label: str) -> re.Pattern[str]:
    """``label: value`` at the start of a line, or after a tab or two spaces (two pairs on
    one line); without a colon the label must stand before whitespace or the line's end."""
    return re.compile(
        rf"(?m)(?:^[ \t]*{NUMBERING}[ \t]*|(?<=\t)|(?<=  )|(?<=\S )(?={any_label().pattern}))"
        rf"(?P<label>{label})"
        r"(?:[ \t]*[(（]\s*(?:盖\s*章|公\s*章|签\s*章)\s*[)）])?(?:[ \t]*[:：]|[ \t]+|[ \t]*$)"
    )


@cache
def _pair_rx(path: str) -> re.Pattern[str]:
    return _pair_pattern(label_pattern(path))


@cache
def _any_pair() -> re.Pattern[str]:
    """Every path's pair pattern as one (its labels joined): where it does not match, none
    of them does."""
    paths = (*FORM_PATHS, *OPTION_PATHS)
    return _pair_pattern("|".join(f"(?:{label_pattern(p)})" for p in paths))


_GAP = re.compile(r"[\n\t ]")


def _pair_starts(text: str) -> list[int]:
    """Where a pair may start: every branch of its pattern starts at the text's start or
    after a newline, a tab or a space, and there only where some path's pair matches (one
    try per place, not one scan of every character per path)."""
    anywhere = _any_pair()
    places = [0, *(m.end() for m in _GAP.finditer(text))]
    return [p for p in places if anywhere.match(text, p)]


def _pairs(path: str, text: str, starts: list[int]) -> Iterator[re.Match[str]]:
    """``_pair_rx(path).finditer(text)``, tried only at ``starts`` (``_pair_starts``)."""
    rx, pos = _pair_rx(path), 0
    for p in starts:
        if p < pos:
            continue
        m = rx.match(text, p)
        if m is None:
            continue
        if m.end() == p:  # an empty match: finditer's own stepping from here on
            yield from rx.finditer(text, p)
            return
        yield m
        pos = m.end()


def form_cues(g: Grounder) -> list[Cue]:
    """Label/value pairs written as lines (the cover form, 基本信息 lines), outside tables,
    and the cover's checkboxes."""
    text = g.doc.text
    out: list[Cue] = []
    in_table = _in_table(g)
    starts = _pair_starts(text)
    for path in FORM_PATHS:
        for m in _pairs(path, text, starts):
            if in_table(m.start()):
                continue
            span = _pair_value(text, m.end())
            if span is not None:
                out += _value_cue(g, path, *span, "cover")
    for path in OPTION_PATHS:
        out += _checkbox_cues(g, path, starts)
    return out


def _in_table(g: Grounder) -> Callable[[int], bool]:
    """Whether an offset lies in one of the document's tables, by bisection (a long
    document has hundreds of tables and as many label matches)."""
    spans = sorted((t.span.start, t.span.end) for t in g.doc.tables)
    starts = [a for a, _ in spans]
    reach = list(itertools.accumulate((b for _, b in spans), max))

    def held(pos: int) -> bool:
        k = bisect.bisect_right(starts, pos)
        return k > 0 and reach[k - 1] > pos

    return held


def _pair_value(text: str, pos: int) -> tuple[int, int] | None:
    """The value after a label ending at ``pos``: the rest of its line up to a tab or the
    next ``label:``; when the line ends there, the next non-blank line unless it is a
    label itself."""
    end = eol(text, pos)
    rest = text[pos:end]
    # a form's cells joined by single spaces (a PDF row: “单位名称 某某局 单位编码 105001”)
    cut = re.search(r"\t|\s{2,}(?=\S{1,10}\s*[:：])|\s+(?=" + any_label().pattern + ")", rest)
    if cut:
        end = pos + cut.start()
    if text[pos:end].strip():
        return pos, end
    nxt = end + 1
    while nxt < len(text) and not text[nxt : eol(text, nxt)].strip() and nxt - end < 3:
        nxt = eol(text, nxt) + 1
    if nxt >= len(text):
        return None
    line_end = eol(text, nxt)
    line = text[nxt:line_end]
    if any_label().match(line.strip()) or re.match(r"\s*\S{1,10}\s*[:：]", line):
        return None
    return nxt, line_end


def _value_cue(g: Grounder, path: str, start: int, end: int, origin: str) -> list[Cue]:
    """A form value over [start, end) of the document, read as ``path``'s kind."""
    text = g.doc.text
    raw = text[start:end]
    if path == DEPT:
        seal = SEAL.search(raw)
        end = start + seal.start() if seal else end
        name = re.sub(r"\s+", "", text[start:end])
        if not (2 <= len(name) <= 40) or re.search(r"[，。；;]", name) or generic(name):
            return []
        if excluded(DEPT, name) or not unit_kind().search(name):
            return []  # the body that printed the form; a column header's neighbour
        # 1.5: the form outvotes a label misread as a value by the indicator-table reader.
        return cue(DEPT, g.text(start, end, origin), origin, 4, 1.5)
    if path == "report.budget_code":
        m = re.search(r"[0-9A-Za-z][0-9A-Za-z\-_.]{2,29}", raw)
        v = m and g.text(start + m.start(), start + m.end(), origin, value=m.group())
        return cue(path, v or None, origin, 2)
    if path == "report.report_date":
        found = find_any_date(raw)
        v = found and g.text(start + found[1], start + found[2], origin, value=found[0])
        return cue(path, v or None, origin, 2)
    m = re.match(rf"\s*({YEAR_NUM})\s*(?:年|$|\s)", raw)
    v = m and g.text(start + m.start(1), start + m.end(1), origin, value=year_value(m.group(1)))
    return cue(YEAR, v or None, origin, 3)


# --- label/value pairs in tables -------------------------------------------------------------


def table_cues(g: Grounder) -> list[Cue]:
    """Label/value pairs in table cells: the value in the next cell to the right, else (for
    texts) the cell below. A score only to the right, and not in a header row of weights."""
    out: list[Cue] = []
    labels = _cell_labels()
    for table in g.doc.tables:
        by_pos = {(c.row, c.col): c for c in table.cells}
        for cell in table.cells:
            label = _LABEL_NOISE.sub("", cell.text)
            for path, rx in labels:
                if rx.fullmatch(label):
                    out += _table_value(g, table, by_pos, cell, path)
                    break
    return out


_LABEL_NOISE = re.compile(r"[\s:：]")


@cache
def _cell_labels() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The paths a label cell may name, in the order they are tried, each with its label
    pattern compiled once (every cell of every table is tried against all of them)."""
    paths = (*FORM_PATHS, *OPTION_PATHS, SCORE, GRADE)
    return tuple((path, re.compile(label_pattern(path))) for path in paths)


def _table_value(g, table: Table, by_pos: dict, cell: Cell, path: str) -> list[Cue]:  # noqa: ANN001
    right = next(
        (
            c
            for col in range(cell.col + cell.col_span, table.n_cols)
            if (c := by_pos.get((cell.row, col))) is not None and c.text.strip()
        ),
        None,
    )
    if right is not None and any_label().fullmatch(re.sub(r"\s", "", right.text)):
        right = None
    if path == SCORE:
        if bare_total(cell.text):
            return []  # the indicator table's total row: tables.py reads its 得分 column
        row = " ".join(c.text for (r, _), c in by_pos.items() if r == cell.row)
        if right is None or excluded(SCORE, row.replace(cell.text, "")):
            return []
        return score_cue(g, right.span.start, right.text, "cover", 2)
    # The cell below only in a small form: in a list, a column's first row is no answer.
    below = by_pos.get((cell.row + cell.row_span, cell.col)) if table.n_rows <= 3 else None
    value = right or below
    if value is None or not value.text.strip():
        return []
    if path in OPTION_PATHS:
        return _options(g, path, value.span.start, value.span.end)
    if path == GRADE:
        m = re.match(r"\s*[“\"]?" + grade_words() + r"[”\"]?\s*$", value.text)
        v = m and g.text(
            value.span.start + m.start("grade"), value.span.start + m.end("grade"), "cover"
        )
        return cue(GRADE, v or None, "cover", 2)
    return _value_cue(g, path, value.span.start, value.span.end, "cover")


# --- the cover's checkboxes ------------------------------------------------------------------


def _method(option: str) -> str:
    return "中介机构评价" if re.search("中介|第三方", option) else "自评"


def _squeeze(option: str) -> str:
    return re.sub(r"\s+", "", option)


def _checkbox_cues(g: Grounder, path: str, starts: list[int]) -> list[Cue]:
    """The option after the label on a line: its options may run over the next lines, up
    to the next line holding another ``label:`` (``starts``: ``_pair_starts``)."""
    text = g.doc.text
    in_table = _in_table(g)
    for m in _pairs(path, text, starts):
        if in_table(m.start()):
            continue
        end = m.end()
        window_end = min(len(text), end + 120)
        nxt = re.compile(r"\n\s*[^\n☒☑☐□]{2,8}[:：]").search(text, end, window_end)
        return _options(g, path, end, nxt.start() if nxt else window_end)
    return []


def _options(g: Grounder, path: str, start: int, end: int) -> list[Cue]:
    """The ticked option in [start, end); the one OCR left unboxed; else a value written
    without boxes when it names one option only."""
    text = g.doc.text
    normalise = _method if path == "report.evaluation_method" else _squeeze
    out: list[Cue] = []
    word = rf"[^\s{CHECKED}{UNCHECKED}:：]+"
    before = _boxes_lead(text[start:end])
    form = rf"([{CHECKED}])\s*({word})" if before else rf"({word})\s*([{CHECKED}])"
    for opt in re.finditer(form, text[start:end]):
        s, e = start + opt.start(), start + opt.end()
        option = opt.group(2 if before else 1)
        out += cue(path, g.text(s, e, "cover", value=normalise(option)), "cover", 2)
    if out:
        return out
    if lost := _box_lost_in_ocr(text, start, end):
        s, e = lost
        v = g.text(s, e, "cover:box lost", value=normalise(text[s:e]))
        return cue(path, v, "cover", 2, weight=0.5)
    end = min(end, eol(text, start))
    line = text[start:end]
    if not line.strip() or re.search(f"[{CHECKED}{UNCHECKED}]", line):
        return []
    if len(_OPTION.findall(line)) > 1 or ("自评" in line and "中介" in line):
        return []  # every option printed, none marked
    return cue(path, g.text(start, end, "cover", value=normalise(line)), "cover", 2)


# The cover's options, as the templates print them.
_OPTION = re.compile(r"部门\s*[（(]\s*单位\s*[)）]\s*(?:自评|评价组)|中介机构(?:评价)?|单位自评")


def _boxes_lead(region: str) -> bool:
    """Whether boxes stand before their options (“☑自评 □中介机构评价”) rather than after
    (“自评☑ 中介机构评价□”): a box sticks to its own option, a space parts it from the other."""
    box = f"[{CHECKED}{UNCHECKED}]"
    lead = len(re.findall(rf"(?:^|\s){box}(?=[^\s{CHECKED}{UNCHECKED}])", region))
    trail = len(re.findall(rf"(?<=[^\s{CHECKED}{UNCHECKED}]){box}(?=\s|$)", region))
    return lead > trail


def _box_lost_in_ocr(text: str, start: int, end: int) -> tuple[int, int] | None:
    """OCR tends to drop a ticked box (☒) and keep the empty ones (□): when no option is
    ticked, every other option is boxed empty and exactly one option has no box at all, that
    one is the ticked one. Its span, else None."""
    bare, boxed = [], 0
    before = _boxes_lead(text[start:end])
    for m in _OPTION.finditer(text, start, end):
        near = (
            text[max(start, m.start() - 2) : m.start()] if before else text[m.end() : m.end() + 2]
        )
        mark = near.strip()[-1:] if before else near.strip()[:1]
        if mark and mark in UNCHECKED:
            boxed += 1
        elif not mark or mark not in CHECKED:
            bare.append((m.start(), m.end()))
    return bare[0] if len(bare) == 1 and boxed else None
