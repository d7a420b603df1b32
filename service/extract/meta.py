"""Report metadata: who evaluated which year, when, how, and with what verdict.

Owns: title, department, fiscal year, budget code, report date, evaluation method and
evaluator (the ☒/☐ checkboxes of the cover), total score and grade stated outside the
indicator table. The words for each field are data (``lexicon/report.toml``); this module
knows the layouts, whatever the template: a title over one to three lines (wrapped inside a
word in a PDF), label/value pairs on lines or in table cells (label and value on one line,
on two, or in neighbouring cells), a line repeated at the top of most pages, a first
sentence naming the unit, a signature (unit, then date) closing the report. The cue is the
value's source locator: ``title``, ``cover``, ``header``, ``prose``, ``signature``.

Proposes ``Candidate``s. Cues differ in strength (the cover form over the title over a
running header over a sentence): a weaker cue is proposed only where it agrees with the
strongest one present, so a header's short name is no contradiction of the cover. Staffing
is staffing.py's; the indicator table's total row is tables.py's.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from service.document import Cell, Table
from service.extract.ground import Grounder
from service.extract.lexicon import FieldEntry, lexicon
from service.extract.resolve import Candidate, same_value
from service.extract.text import PAGE_NUMBER
from service.records import Value
from service.records.numbers import find_date, parse_quantity

_CHECKED = "☒☑✓✔√■"
_UNCHECKED = "☐□"
_CJK = "\u4e00-\u9fff"
_DEPT, _YEAR = "report.department", "report.fiscal_year"
_SCORE, _GRADE = "report.total_score", "report.grade"
# Paths read from label/value pairs (the checkboxes have their own reader).
_FORM_PATHS = (_DEPT, _YEAR, "report.budget_code", "report.report_date")
_OPTION_PATHS = ("report.evaluation_method", "report.evaluator")


@dataclass(frozen=True)
class _Cue:
    """A candidate and the rank of the cue it came from (higher is stronger)."""

    candidate: Candidate
    rank: int


# --- the lexicon, as patterns ---------------------------------------------------------------


def _entry(path: str) -> FieldEntry:
    return lexicon().field(path)


def _spaced(fragment: str) -> str:
    """``fragment`` with optional whitespace after each CJK character (outside character
    classes, after its quantifier): covers print “单 位 名 称” and a PDF title wrapped inside a
    word."""
    out: list[str] = []
    depth = 0
    pending = False
    for i, ch in enumerate(fragment):
        escaped = i > 0 and fragment[i - 1] == "\\"
        if pending and ch not in "?*+":
            out.append(r"\s*")
        pending = False
        out.append(ch)
        if ch == "[" and not escaped:
            depth += 1
        elif ch == "]" and not escaped:
            depth -= 1
        pending = depth == 0 and (_is_cjk(ch) or (ch in "?*+" and _is_cjk(fragment[i - 1])))
    return "".join(out)


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _alternation(fragments: tuple[str, ...]) -> str:
    return "(?:" + "|".join(sorted(fragments, key=len, reverse=True)) + ")"


@cache
def _label(path: str) -> str:
    """The entry's labels, spaced, with its not_before/not_after guards."""
    e = _entry(path)
    before = "".join(f"(?<!{f})" for f in e.not_before)
    after = f"(?!{_alternation(e.not_after)})" if e.not_after else ""
    return before + _alternation(tuple(_spaced(f) for f in e.labels)) + after


@cache
def _unit_kind() -> re.Pattern[str]:
    """A name that ends in a kind of unit (局, 中学, 卫生院 …)."""
    return re.compile(_alternation(_entry(_DEPT).units) + r"$")


@cache
def _any_label() -> re.Pattern[str]:
    """Any report label, whole (a cell holding one is a label, not a value)."""
    paths = [*_FORM_PATHS, *_OPTION_PATHS, _SCORE, _GRADE]
    return re.compile(r"(?:" + "|".join(_label(p) for p in paths) + r")\s*[:：]?")


def _excluded(path: str, clause: str) -> bool:
    rx = _entry(path).excludes_pattern()
    return bool(rx) and re.search(rx, clause) is not None


# --- dates ------------------------------------------------------------------------------------

_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0, "O": 0}
_CN_DATE = re.compile(
    r"([〇○零O一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,2})\s*月"
    r"\s*([一二三四五六七八九十]{1,3})\s*日"
)


def _cn_small(s: str) -> int:
    """一..三十一 as an int (十 alone is ten, 二十三 is twenty-three)."""
    if "十" not in s:
        return _CN_DIGITS[s]
    tens, _, ones = s.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def find_any_date(text: str) -> tuple[dt.date, int, int] | None:
    """The first date in ``text``, in digits or in Chinese numerals (二〇二三年三月十五日),
    with its offsets. (numbers.find_date reads digits only.)"""
    found = [d for d in (find_date(text), _find_cn_date(text)) if d is not None]
    return min(found, key=lambda d: d[1]) if found else None


def _find_cn_date(text: str) -> tuple[dt.date, int, int] | None:
    m = _CN_DATE.search(text)
    if not m:
        return None
    year = int("".join(str(_CN_DIGITS[c]) for c in m.group(1)))
    try:
        return dt.date(year, _cn_small(m.group(2)), _cn_small(m.group(3))), m.start(), m.end()
    except (ValueError, KeyError):
        return None


# --- the entry point --------------------------------------------------------------------------


def report_candidates(g: Grounder, gv: Grounder, head_end: int) -> list[Candidate]:
    """Every cue for the report's metadata, settled by cue strength. ``g`` grounds in the
    document, ``gv`` in the prose view; ``head_end`` is where the first heading stands."""
    cues = title_cues(g, head_end) + form_cues(g) + table_cues(g) + header_cues(g)
    cues += prose_cues(gv, head_end) + signature_cues(g)
    return settle(cues)


def settle(cues: list[_Cue]) -> list[Candidate]:
    """Per path, the candidates of the strongest cue present, and weaker ones that agree
    with them; from the weakest cue alone (rank 1, a guess), only its best-voted value."""
    out: list[Candidate] = []
    for path in dict.fromkeys(c.candidate.path for c in cues):
        mine = [c for c in cues if c.candidate.path == path]
        top = max(c.rank for c in mine)
        best = [c.candidate for c in mine if c.rank == top]
        if top == 1:
            best = _best_voted(best)
        agree = [
            c.candidate
            for c in mine
            if c.rank < top and any(same_value(c.candidate.value, b.value) for b in best)
        ]
        out += best + agree
    return out


def _best_voted(cands: list[Candidate]) -> list[Candidate]:
    groups = [[c for c in cands if same_value(c.value, first.value)] for first in cands]
    return max(groups, key=lambda grp: sum(c.weight for c in grp))  # ties: the earliest


def _cue(path: str, v: Value | None, origin: str, rank: int, weight: float = 1.0) -> list[_Cue]:
    return [] if v is None else [_Cue(Candidate(path, v, origin, weight), rank)]


# --- the title ----------------------------------------------------------------------------------

_FILLER = re.compile(r"(?:(?:部\s*门|单\s*位)\s*)?(?:整\s*体\s*)?(?:支\s*出\s*)?(?:预\s*算\s*)?$")
_YEAR_IN_TITLE = re.compile(r"(?<![\d〔\[(（])(20\d{2})\s*年\s*度?")
_YEAR_LINE = re.compile(r"[ \t]*[(（]?\s*20\d{2}\s*年\s*度?\s*[)）]?[ \t]*")
_NOT_TITLE_LINE = re.compile(r"[，。；:：,;]|^\s*(?:附\s*件|附\s*表|密\s*级|编\s*号)")


@cache
def _title_rx() -> re.Pattern[str]:
    return re.compile(_label("report.title"))


def title_cues(g: Grounder, head_end: int) -> list[_Cue]:
    """Title, and the department and year it names, from the lines before the first
    heading (or the first 60 lines when no heading was found). Of several title lines, one
    that is not repeated on other pages (a running header) and names the report's kind
    (整体支出) wins; then the first."""
    text = g.doc.text
    limit = min(head_end, re.match(r"(?:[^\n]*\n){0,60}", text).end())
    repeated = _repeated_lines(g)
    blocks = []
    for m in _title_rx().finditer(text, 0, limit):
        block = _title_block(text, m.start(), m.end())
        if block is not None:
            own = re.sub(r"\s+", "", text[block[0] : block[1]])
            rank = (own not in repeated, bool(re.search("整体", own)), -m.start())
            blocks.append((rank, block, m.start()))
    if blocks:
        best = max(blocks)
        # The others are running headers: their unit counts where the title names none.
        heads = [title_parts(g, b, at, "header") for r, b, at in blocks if (r, b, at) != best]
        return title_parts(g, best[1], best[2], "title") + [
            c for cues in heads for c in cues if c.candidate.path != "report.title"
        ]
    first = re.search(r"\S[^\n]*报告", text[:limit])
    if first and (v := g.text(first.start(), first.end(), "title")):
        return _cue("report.title", v, "title", 3)
    return []


def _repeated_lines(g: Grounder) -> set[str]:
    """Lines (whitespace removed) standing more than once in the document."""
    seen: dict[str, int] = {}
    for line in g.doc.lines:
        key = re.sub(r"\s+", "", g.doc.text[line.span.start : line.span.end])
        seen[key] = seen.get(key, 0) + 1
    return {k for k, n in seen.items() if n > 1 and k}


def _title_block(text: str, start: int, end: int) -> tuple[int, int] | None:
    """[start, end) of the title around the label at [start, end): its own line, up to two
    short lines above it (unit name, year), and a “（2023年度）” line under it. None when the
    label stands in a sentence."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = _eol(text, end)
    lead = text[line_start:start]
    if _NOT_TITLE_LINE.search(lead) or len(lead.strip()) > 40:
        return None
    if text[end:line_end].strip() and not re.fullmatch(
        r"\s*[(（][^)）]{1,12}[)）]\s*", text[end:line_end]
    ):
        return None
    end = line_end if text[end:line_end].strip() else end
    nxt = line_end + 1
    if nxt < len(text) and _YEAR_LINE.fullmatch(text, nxt, _eol(text, nxt)):
        end = _eol(text, nxt)
    top = line_start
    for _ in range(2):
        above = _line_above(text, top)
        if above is None:
            break
        s, e = above
        line = text[s:e].strip()
        if (
            not line
            or len(line) > 30
            or _NOT_TITLE_LINE.search(line)
            or PAGE_NUMBER.fullmatch(line)
            or _title_rx().search(line)  # another title (a running header) above this one
        ):
            break
        top = s
    return top, end


def _eol(text: str, pos: int) -> int:
    nl = text.find("\n", pos)
    return len(text) if nl == -1 else nl


def _line_above(text: str, start: int) -> tuple[int, int] | None:
    """The nearest non-blank line above ``start`` (one blank line may stand between)."""
    pos, blanks = start - 1, 0
    while pos > 0:
        s = text.rfind("\n", 0, pos) + 1
        if text[s:pos].strip():
            return s, pos
        blanks += 1
        if blanks > 1:
            return None
        pos = s - 1
    return None


def title_parts(g: Grounder, block: tuple[int, int], label: int, origin: str) -> list[_Cue]:
    """The title over ``block``, and the year and unit named before its ``label``."""
    text = g.doc.text
    start, end = block
    rank = 3 if origin == "title" else 2
    weight = 0.8 if origin == "title" else 0.4
    out = _cue("report.title", g.text(start, end, origin), origin, rank)
    # The year before the label (a unit's name may follow it), else in a “(2023年度)” after.
    year = _YEAR_IN_TITLE.search(text, start, label) or re.compile(r"(20\d{2})\s*年").search(
        text, label, end
    )
    if year:
        v = g.text(year.start(1), year.end(1), origin, value=int(year.group(1)))
        out += _cue(_YEAR, v, origin, 3, weight=1.0 if origin == "title" else 0.6)
    name_end = _FILLER.search(text, start, label).start()
    if year and year.start() > label:
        name_start = start
    elif year and year.start() > start and text[start : year.start()].strip():
        name_end = min(name_end, year.start())
        name_start = start
    else:
        name_start = year.end() if year else start
    out += _unit_name(g, name_start, name_end, origin, rank, weight)
    return out


def _unit_name(
    g: Grounder, start: int, end: int, origin: str, rank: int, weight: float
) -> list[_Cue]:
    """A department over [start, end) when it reads as a unit's name (not a bare city)."""
    text = g.doc.text
    # “关于XX局…的报告”, “XX局关于2023年度…”: the connectives are no part of the name.
    start += re.match(r"\s*(?:关于|对)?", text[start:end]).end()
    tail = re.search(r"(?:关于|对|的)?\s*$", text[start:end])
    end = start + tail.start()
    name = re.sub(r"\s+", "", text[start:end])
    if len(name) < 3 or not _unit_kind().search(name) or _generic(name):
        return []
    return _cue(_DEPT, g.text(start, end, origin), origin, rank, weight)


def _generic(name: str) -> bool:
    """A description rather than a name: 本单位, 我院, 一所二级综合医院, 该中心."""
    return bool(re.match(r"[本我该此各全其一]|下属|所属", name)) or not re.search(f"[{_CJK}]", name)


# --- label/value pairs on lines -----------------------------------------------------------------

_NUMBERING = r"(?:\d{1,2}\s*[、.．]|[(（]?\s*[一二三四五六七八九十\d]{1,2}\s*[)）、])?"
_SEAL = re.compile(r"\s*[(（]\s*(?:盖\s*章|公\s*章|签\s*章|章|印\s*章)\s*[)）]\s*$")


@cache
def _pair_rx(path: str) -> re.Pattern[str]:
    """``label: value`` at the start of a line, or after a tab or two spaces (two pairs on
    one line); without a colon the label must stand before whitespace or the line's end."""
    return re.compile(
        rf"(?m)(?:^[ \t]*{_NUMBERING}[ \t]*|(?<=\t)|(?<=  ))(?P<label>{_label(path)})"
        r"(?:[ \t]*[(（]\s*(?:盖\s*章|公\s*章|签\s*章)\s*[)）])?(?:[ \t]*[:：]|[ \t]+|[ \t]*$)"
    )


def form_cues(g: Grounder) -> list[_Cue]:
    """Label/value pairs written as lines (the cover form, 基本信息 lines), outside tables,
    and the cover's checkboxes."""
    text = g.doc.text
    out: list[_Cue] = []
    for path in _FORM_PATHS:
        for m in _pair_rx(path).finditer(text):
            if _in_table(g, m.start()):
                continue
            span = _pair_value(text, m.end())
            if span is not None:
                out += _value_cue(g, path, *span, "cover")
    out += _checkbox_cues(g, "report.evaluation_method") + _checkbox_cues(g, "report.evaluator")
    return out


def _in_table(g: Grounder, pos: int) -> bool:
    return any(t.span.start <= pos < t.span.end for t in g.doc.tables)


def _pair_value(text: str, pos: int) -> tuple[int, int] | None:
    """The value after a label ending at ``pos``: the rest of its line up to a tab or the
    next ``label:``; when the line ends there, the next non-blank line unless it is a
    label itself."""
    end = _eol(text, pos)
    rest = text[pos:end]
    cut = re.search(r"\t|\s{2,}(?=\S{1,10}\s*[:：])|\s{2,}(?=" + _any_label().pattern + ")", rest)
    if cut:
        end = pos + cut.start()
    if text[pos:end].strip():
        return pos, end
    nxt = end + 1
    while nxt < len(text) and not text[nxt : _eol(text, nxt)].strip() and nxt - end < 3:
        nxt = _eol(text, nxt) + 1
    if nxt >= len(text):
        return None
    line_end = _eol(text, nxt)
    line = text[nxt:line_end]
    if _any_label().match(line.strip()) or re.match(r"\s*\S{1,10}\s*[:：]", line):
        return None
    return nxt, line_end


def _value_cue(g: Grounder, path: str, start: int, end: int, origin: str) -> list[_Cue]:
    """A form value over [start, end) of the document, read as ``path``'s kind."""
    text = g.doc.text
    raw = text[start:end]
    if path == _DEPT:
        seal = _SEAL.search(raw)
        end = start + seal.start() if seal else end
        name = re.sub(r"\s+", "", text[start:end])
        if not (2 <= len(name) <= 40) or re.search(r"[，。；;]", name) or _generic(name):
            return []
        if _excluded(_DEPT, name) or not _unit_kind().search(name):
            return []  # the body that printed the form; a column header's neighbour
        # 1.5: the form outvotes a label misread as a value by the indicator-table reader.
        return _cue(_DEPT, g.text(start, end, origin), origin, 4, 1.5)
    if path == "report.budget_code":
        m = re.search(r"[0-9A-Za-z][0-9A-Za-z\-_.]{2,29}", raw)
        v = m and g.text(start + m.start(), start + m.end(), origin, value=m.group())
        return _cue(path, v or None, origin, 2)
    if path == "report.report_date":
        found = find_any_date(raw)
        v = found and g.text(start + found[1], start + found[2], origin, value=found[0])
        return _cue(path, v or None, origin, 2)
    m = re.match(r"\s*(20\d{2})\s*(?:年|$|\s)", raw)
    v = m and g.text(start + m.start(1), start + m.end(1), origin, value=int(m.group(1)))
    return _cue(_YEAR, v or None, origin, 3)


# --- label/value pairs in tables -------------------------------------------------------------


def table_cues(g: Grounder) -> list[_Cue]:
    """Label/value pairs in table cells: the value in the next cell to the right, else (for
    texts) the cell below. A score only to the right, and not in a header row of weights."""
    out: list[_Cue] = []
    for table in g.doc.tables:
        by_pos = {(c.row, c.col): c for c in table.cells}
        for cell in table.cells:
            label = re.sub(r"[\s:：]", "", cell.text)
            for path in (*_FORM_PATHS, *_OPTION_PATHS, _SCORE, _GRADE):
                if re.fullmatch(_label(path), label):
                    out += _table_value(g, table, by_pos, cell, path)
                    break
    return out


def _table_value(g, table: Table, by_pos: dict, cell: Cell, path: str) -> list[_Cue]:  # noqa: ANN001
    right = next(
        (
            c
            for col in range(cell.col + cell.col_span, table.n_cols)
            if (c := by_pos.get((cell.row, col))) is not None and c.text.strip()
        ),
        None,
    )
    if right is not None and _any_label().fullmatch(re.sub(r"\s", "", right.text)):
        right = None
    if path == _SCORE:
        if _bare_total(cell.text):
            return []  # the indicator table's total row: tables.py reads its 得分 column
        row = " ".join(c.text for (r, _), c in by_pos.items() if r == cell.row)
        if right is None or _excluded(_SCORE, row.replace(cell.text, "")):
            return []
        return _score_cue(g, right.span.start, right.text, "cover", 2)
    # The cell below only in a small form: in a list, a column's first row is no answer.
    below = by_pos.get((cell.row + cell.row_span, cell.col)) if table.n_rows <= 3 else None
    value = right or below
    if value is None or not value.text.strip():
        return []
    if path in _OPTION_PATHS:
        return _options(g, path, value.span.start, value.span.end)
    if path == _GRADE:
        m = re.match(r"\s*[“\"]?" + _grade_words() + r"[”\"]?\s*$", value.text)
        v = m and g.text(
            value.span.start + m.start("grade"), value.span.start + m.end("grade"), "cover"
        )
        return _cue(_GRADE, v or None, "cover", 2)
    return _value_cue(g, path, value.span.start, value.span.end, "cover")


# --- the cover's checkboxes ------------------------------------------------------------------


def _method(option: str) -> str:
    return "中介机构评价" if re.search("中介|第三方", option) else "自评"


def _squeeze(option: str) -> str:
    return re.sub(r"\s+", "", option)


def _checkbox_cues(g: Grounder, path: str) -> list[_Cue]:
    """The option after the label on a line: its options may run over the next lines, up
    to the next line holding another ``label:``."""
    text = g.doc.text
    for m in _pair_rx(path).finditer(text):
        if _in_table(g, m.start()):
            continue
        end = m.end()
        window_end = min(len(text), end + 120)
        nxt = re.compile(r"\n\s*[^\n☒☑☐□]{2,8}[:：]").search(text, end, window_end)
        return _options(g, path, end, nxt.start() if nxt else window_end)
    return []


def _options(g: Grounder, path: str, start: int, end: int) -> list[_Cue]:
    """The ticked option in [start, end); the one OCR left unboxed; else a value written
    without boxes when it names one option only."""
    text = g.doc.text
    normalise = _method if path == "report.evaluation_method" else _squeeze
    out: list[_Cue] = []
    word = rf"[^\s{_CHECKED}{_UNCHECKED}:：]+"
    before = _boxes_lead(text[start:end])
    form = rf"([{_CHECKED}])\s*({word})" if before else rf"({word})\s*([{_CHECKED}])"
    for opt in re.finditer(form, text[start:end]):
        s, e = start + opt.start(), start + opt.end()
        option = opt.group(2 if before else 1)
        out += _cue(path, g.text(s, e, "cover", value=normalise(option)), "cover", 2)
    if out:
        return out
    if lost := _box_lost_in_ocr(text, start, end):
        s, e = lost
        v = g.text(s, e, "cover:box lost", value=normalise(text[s:e]))
        return _cue(path, v, "cover", 2, weight=0.5)
    end = min(end, _eol(text, start))
    line = text[start:end]
    if not line.strip() or re.search(f"[{_CHECKED}{_UNCHECKED}]", line):
        return []
    if len(_OPTION.findall(line)) > 1 or ("自评" in line and "中介" in line):
        return []  # every option printed, none marked
    return _cue(path, g.text(start, end, "cover", value=normalise(line)), "cover", 2)


# The cover's options, as the templates print them.
_OPTION = re.compile(r"部门\s*[（(]\s*单位\s*[)）]\s*(?:自评|评价组)|中介机构(?:评价)?|单位自评")


def _boxes_lead(region: str) -> bool:
    """Whether boxes stand before their options (“☑自评 □中介机构评价”) rather than after
    (“自评☑ 中介机构评价□”): a box sticks to its own option, a space parts it from the other."""
    box = f"[{_CHECKED}{_UNCHECKED}]"
    lead = len(re.findall(rf"(?:^|\s){box}(?=[^\s{_CHECKED}{_UNCHECKED}])", region))
    trail = len(re.findall(rf"(?<=[^\s{_CHECKED}{_UNCHECKED}]){box}(?=\s|$)", region))
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
        if mark and mark in _UNCHECKED:
            boxed += 1
        elif not mark or mark not in _CHECKED:
            bare.append((m.start(), m.end()))
    return bare[0] if len(bare) == 1 and boxed else None


# --- a running header -------------------------------------------------------------------------


def header_cues(g: Grounder) -> list[_Cue]:
    """The unit (and year) of a line standing at the top or foot of most pages."""
    doc = g.doc
    if len(doc.pages) < 3:
        return []
    edges: dict[int, list[tuple[int, int]]] = {}
    for line in doc.lines:
        s, e = g.trim(line.span.start, line.span.end)
        if e > s and not PAGE_NUMBER.fullmatch(doc.text, s, e):
            edges.setdefault(line.page, []).append((s, e))
    seen: dict[str, list[tuple[int, int]]] = {}
    for spans in edges.values():
        for s, e in {spans[0], spans[-1]}:
            seen.setdefault(re.sub(r"\s+", "", doc.text[s:e]), []).append((s, e))
    text, spans = max(seen.items(), key=lambda kv: len(kv[1]), default=("", []))
    if len(spans) < max(2, len(doc.pages) / 2) or len(text) > 60:
        return []
    # The first page is often the cover, where the line is the title: ground past it.
    s, e = next((sp for sp in spans if doc.page_at(sp[0]) > 1), spans[0])
    label = _title_rx().search(doc.text, s, e)
    if label:
        return [
            c
            for c in title_parts(g, (s, e), label.start(), "header")
            if c.candidate.path != "report.title"
        ]
    return _unit_name(g, s, e, "header", 2, 0.4)


# --- sentences -------------------------------------------------------------------------------

_STOP = r"(?:根据|按照|依据|关于|现就|现将|现对|对|由|经|在|为|据|我们|本次|今年|全年)"
_SUBJECT_VERB = (
    r"(?:是|为|系|位于|成立于|始建于|创建于|隶属于?|属于|内设|下设|设有|共有|现有|核定|负责|"
    r"承担|主要职能|的主要职能|主要职责|的主要职责|作为|于\d{4}年)"
)
_CLAUSE = re.compile(r"[，。；,;:：\n]")


def prose_cues(gv: Grounder, head_end: int) -> list[_Cue]:
    """Department, year, total score and grade stated in sentences (a prose-view grounder)."""
    return _prose_department(gv) + _prose_years(gv) + _prose_scores(gv) + _prose_grades(gv)


def _clause_before(text: str, pos: int, clauses: int = 1) -> str:
    start = pos
    for _ in range(clauses):
        found = max(text.rfind(c, 0, start) for c in "，。；,;\n")
        start = max(found, 0)
    return text[start:pos]


def _prose_department(gv: Grounder) -> list[_Cue]:
    """“XX县第二中学（以下简称“我校”）…”, or a first sentence whose subject is the unit
    (“XX县疾病预防控制中心是…”), the name given once and 本单位/我局 after."""
    text = gv.src
    kinds = _alternation(_entry(_DEPT).units)
    named = re.compile(rf"(?P<name>[{_CJK}]{{3,40}})\s*[(（]\s*以下简称")
    subject = re.compile(
        rf"(?:^|(?<=[。；\n]))\s*{_NUMBERING}\s*(?P<name>[{_CJK}]{{1,30}}?{kinds}){_SUBJECT_VERB}"
    )
    for rx in (named, subject):
        for m in rx.finditer(text):
            s, e = m.span("name")
            lead = re.match(_STOP + "+", text[s:e])
            s += lead.end() if lead else 0
            name = text[s:e]
            if _excluded(_DEPT, _clause_before(text, s) + name) or _generic(name):
                continue
            if len(name) >= 3 and _unit_kind().search(name):
                return _cue(_DEPT, gv.text(s, e, "prose"), "prose", 1, 0.3)
    return []


_YEAR_ABOUT = re.compile(
    r"(?<![\d〔\[(（【])(?P<year>20\d{2})\s*年\s*度?\s*(?:(?:部门|单位)\s*)?"
    r"(?:整体\s*支出|部门\s*整体|决\s*算|"
    r"(?:(?:预算|决算|财政)\s*)?(?:支出\s*)?(?:资金\s*)?绩效\s*(?:自评|评价|自查))"
)
_YEAR_ANY = re.compile(r"(?<![\d〔\[(（【])(?P<year>20\d{2})\s*年(?P<du>\s*度)?")


def _prose_years(gv: Grounder) -> list[_Cue]:
    """A year about the evaluated budget (“2022年部门整体支出”, “对2023年度预算支出开展绩效
    自评”) is a strong cue; a bare “2022年度” a weak one. Document numbers (〔2023〕), periods
    (2021—2025年), dates, plans (2024年工作计划) and comparisons (较2021年) are none."""
    text = gv.src
    out: list[_Cue] = []
    about = {m.start("year") for m in _YEAR_ABOUT.finditer(text)}
    label = re.compile(rf"(?:{_label(_YEAR)})\s*(?:为|是|:|：)\s*(?P<year>20\d{{2}})")
    for m in label.finditer(text):
        if len(re.sub(r"\s", "", m.group().split(m.group("year"))[0])) >= 4:
            v = gv.text(m.start("year"), m.end("year"), "prose", value=int(m.group("year")))
            out += _cue(_YEAR, v, "prose", 3)
    for m in _YEAR_ANY.finditer(text):
        strong = m.start("year") in about
        if not strong and not m.group("du") or _not_the_year(text, m):
            continue
        v = gv.text(m.start("year"), m.end("year"), "prose", value=int(m.group("year")))
        out += _cue(_YEAR, v, "prose", 2 if strong else 1, 1.0 if strong else 0.3)
    return out


def _not_the_year(text: str, m: re.Match[str]) -> bool:
    s, e = m.start("year"), m.end()
    after = text[e : e + 12]
    if re.match(
        r"\s*(?:年\s*度?\s*)?(?:[〕\]】]|号)|\s*(?:年\s*度?\s*)?[-—–－~～至到]\s*(?:20)?\d{2}"
        r"|\s*年\s*\d{1,2}\s*月",
        text[m.end("year") :],
    ):
        return True  # a document number, a period, a date
    if re.search(r"20\d{2}\s*(?:年\s*度?)?\s*[-—–－~～至到]\s*$", text[max(0, s - 9) : s]):
        return True
    if re.search(r"(?:较|比|同比|与|上年|去年|截至|截止)\s*$", text[max(0, s - 3) : s]):
        return True
    if text.rfind("《", 0, s) > text.rfind("》", 0, s):
        return True  # inside a policy's name
    clause = _CLAUSE.split(after, maxsplit=1)[0]
    return _excluded(_YEAR, clause)


def _score_cue(g: Grounder, offset: int, text: str, origin: str, rank: int) -> list[_Cue]:
    """A total score at the start of ``text`` (found at ``offset`` in ``g.src``)."""
    m = re.match(r"\s*(?P<num>\d{1,3}(?:\.\d+)?)(?P<unit>\s*分)?(?![\d.%％])", text)
    q = m and parse_quantity(m.group("num"))
    if not m or q is None or not _entry(_SCORE).in_range(q.value):
        return []
    v = g.quantity(q, offset + m.start("num"), origin).model_copy(update={"unit": "分"})
    return _cue(_SCORE, v, origin, rank)


def _prose_scores(gv: Grounder) -> list[_Cue]:
    """“自评总得分为93分”, “综合评分92.5分”, “自评得分：95”. A bare 总分 is a weak cue (it may be the
    full mark); a score beside a small 分值/权重/满分 is an indicator's."""
    text = gv.src
    rx = re.compile(rf"(?P<label>{_label(_SCORE)})\s*(?P<sep>为|是|达到|共计|合计|:|：)?\s*(?=\d)")
    out: list[_Cue] = []
    for m in rx.finditer(text):
        tail = text[m.end() : m.end() + 12]
        bare = _bare_total(m.group("label"))
        # “自评得分 95” in a form line; not “总分 100 98.5”, a flattened table's total row.
        spaced = text[m.end() - 1].isspace() and not bare
        if not (m.group("sep") or spaced) and not re.match(r"\d{1,3}(?:\.\d+)?\s*分", tail):
            continue
        if re.match(r"\d{1,3}(?:\.\d+)?(?![\d.])(?:\s*分)?\s*(?:[/／]|\d)", tail):
            continue
        if _a_part(text, m.start()):
            continue
        rank = 1 if bare else 2
        out += _score_cue(gv, m.end(), tail, "prose", rank)
    return out


def _bare_total(label: str) -> bool:
    """总分 alone: the full mark as often as the score."""
    return re.fullmatch(r"\s*总\s*分\s*[:：]?\s*", label) is not None


def _a_part(text: str, pos: int) -> bool:
    """Whether the clause of ``pos`` or the one before names a weight below 100 (分值10分,
    权重20%): the score is then one indicator's."""
    window = _clause_before(text, pos, 2)
    rx = _entry(_SCORE).excludes_pattern()
    for m in re.finditer(rf"{rx}\s*(?:为|是|:|：)?\s*(\d+(?:\.\d+)?)?", window):
        if m.group(1) is None or float(m.group(1)) < 100:
            return True
    return False


@cache
def _grade_words() -> str:
    words = _alternation(_entry(_GRADE).units)
    return rf"(?P<grade>{words})(?=[”\"」』’)）(（\s，。；;,.、]|$|等|级|档)"


def _prose_grades(gv: Grounder) -> list[_Cue]:
    """“等级“优秀””, “评价等次为优”, “自评结果为良好（87.5分）”, “评定为优秀等级”. A one-character
    grade needs 为/是/：or quotes; staff appraisals (年度考核为优秀等次) are not the report's."""
    text = gv.src
    connector = r"(?P<conn>为|是|属于|属|达到|评定为|定为|:|：)?\s*(?P<quote>[“\"「『‘])?\s*"
    rx = re.compile(rf"(?P<label>{_label(_GRADE)})\s*{connector}{_grade_words()}")
    after = re.compile(
        rf"(?:为|属于|达到|评定为|评为|确定为)\s*[“\"]?{_grade_words()}[”\"]?\s*(?:等级|等次|档次|级)"
    )
    out: list[_Cue] = []
    for m in list(rx.finditer(text)) + list(after.finditer(text)):
        gap = text[m.start() : m.start("grade")]
        loose = "label" not in m.groupdict() or not (
            m.group("conn") or m.group("quote") or gap[-1:].isspace()
        )
        if loose and len(m.group("grade")) == 1 and "label" in m.groupdict():
            continue
        sentence = _clause_before(text, m.start(), 3) + m.group()
        if _excluded(_GRADE, sentence):
            continue
        if "label" not in m.groupdict() and not re.search(
            _label(_SCORE) + "|自评|绩效评价", sentence
        ):
            continue
        out += _cue(_GRADE, gv.text(m.start("grade"), m.end("grade"), "prose"), "prose", 2)
        paren = re.match(r"[”\"」』’]?\s*[(（]", text[m.end("grade") :])
        if paren:
            at = m.end("grade") + paren.end()
            out += _score_cue(gv, at, text[at : at + 10], "prose", 2)
    return out


# --- the signature --------------------------------------------------------------------------------


def signature_cues(g: Grounder) -> list[_Cue]:
    """A date alone on a line under the unit's name (the report's signature), or alone on
    the report's last line: the report date, and the unit."""
    text = g.doc.text
    lines = [g.trim(ln.span.start, ln.span.end) for ln in g.doc.lines]
    lines = [(s, e) for s, e in lines if e > s and not PAGE_NUMBER.fullmatch(text, s, e)]
    out: list[_Cue] = []
    for i, (s, e) in enumerate(lines):
        found = find_any_date(text[s:e])
        if found is None or text[s:e][: found[1]].strip() or text[s:e][found[2] :].strip():
            continue
        above = _unit_name(g, *_unseal(text, *lines[i - 1]), "signature", 2, 0.4) if i else []
        if above or i == len(lines) - 1:
            v = g.text(s + found[1], s + found[2], "signature", value=found[0])
            out += _cue("report.report_date", v, "signature", 1, 0.6) + above
    return out


def _unseal(text: str, start: int, end: int) -> tuple[int, int]:
    seal = _SEAL.search(text, start, end)
    return start, seal.start() if seal else end
