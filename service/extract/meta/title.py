"""The title (and the unit and year it names) over the first lines, and a line repeated
at the top or foot of most pages (a running header naming the unit)."""

from __future__ import annotations

import re
from functools import cache

from service.extract.ground import Grounder
from service.extract.meta.cues import YEAR, Cue, cue, eol, label_pattern, unit_name
from service.extract.meta.dates import YEAR_NUM, year_value
from service.extract.text import PAGE_NUMBER

_FILLER = re.compile(r"(?:(?:部\s*门|单\s*位)\s*)?(?:整\s*体\s*)?(?:支\s*出\s*)?(?:预\s*算\s*)?$")
_YEAR_IN_TITLE = re.compile(r"(?<![\d〔\[(（])(" + YEAR_NUM + r")\s*年\s*度?")
_YEAR_LINE = re.compile(r"[ \t]*[(（]?\s*" + YEAR_NUM + r"\s*年\s*度?\s*[)）]?[ \t]*")
_NOT_TITLE_LINE = re.compile(r"[，。；:：,;]|^\s*(?:附\s*件|附\s*表|密\s*级|编\s*号)")
# A cover's date (二〇二三年三月, 2023年3月): it closes the cover, it opens no title.
_DATE_LINE = re.compile(YEAR_NUM + r"\s*年\s*(?:\d{1,2}|[一二三四五六七八九十]{1,2})\s*月")
# A unit's name in brackets on the line under a generic title: “（XX县档案馆）”.
_NAME_LINE = re.compile(r"[ \t]*[(（]\s*([^()（）\d\n]{3,30}?)\s*[)）][ \t]*")
_ANNEX_PREFIX = re.compile(r"[ \t]*附\s*[件表]\s*\d{0,2}\s*[:：]?[ \t]*")
_BRACKETED = re.compile(r"[(（]\s*([^()（）\d\n]{3,30}?)\s*[)）]")


_TITLE_REACH = 4000


@cache
def _title_rx() -> re.Pattern[str]:
    return re.compile(label_pattern("report.title"))


@cache
def _cover_label() -> re.Pattern[str]:
    """A line opening with a cover form's label (unit, code, date, method)."""
    paths = ("report.department", "report.budget_code", "report.report_date", "report.evaluator")
    return re.compile(r"\s*(?:" + "|".join(f"(?:{label_pattern(p)})" for p in paths) + ")")


def title_cues(g: Grounder, head_end: int) -> list[Cue]:
    """Title, and the department and year it names, from the lines before the first
    heading (or the first 60 lines when no heading was found). Of several title lines, one
    that is not repeated on other pages (a running header) and names the report's kind
    (整体支出) wins; then the first."""
    text = g.doc.text
    # a title stands in the first lines: never search further than a page's worth of text
    # (a document of one huge line would otherwise be searched whole)
    limit = min(head_end, re.match(r"(?:[^\n]*\n){0,60}", text).end(), _TITLE_REACH)
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
        return cue("report.title", v, "title", 3)
    return []


_SPACES = re.compile(r"\s+")  # compiled once: every line of the document is keyed by it


def _repeated_lines(g: Grounder) -> set[str]:
    """Lines (whitespace removed) standing more than once in the document."""
    seen: dict[str, int] = {}
    for line in g.doc.lines:
        key = _SPACES.sub("", g.doc.text[line.span.start : line.span.end])
        seen[key] = seen.get(key, 0) + 1
    return {k for k, n in seen.items() if n > 1 and k}


def _title_block(text: str, start: int, end: int) -> tuple[int, int] | None:
    """[start, end) of the title around the label at [start, end): its own line, up to two
    short lines above it (unit name, year), and a “（2023年度）” line under it. None when the
    label stands in a sentence."""
    line_start = text.rfind("\n", 0, start) + 1
    annex = _ANNEX_PREFIX.match(text, line_start, start)  # “附件2：XX局…报告” on one line
    line_start = annex.end() if annex else line_start
    line_end = eol(text, end)
    lead = text[line_start:start]
    if _NOT_TITLE_LINE.search(lead) or len(lead.strip()) > 40:
        return None
    if text[end:line_end].strip() and not re.fullmatch(
        r"\s*[(（][^)）]{1,12}[)）]\s*", text[end:line_end]
    ):
        return None
    end = line_end if text[end:line_end].strip() else end
    nxt = line_end + 1
    if nxt < len(text) and _YEAR_LINE.fullmatch(text, nxt, eol(text, nxt)):
        end = eol(text, nxt)
    top = line_start
    # a letter's heading (“关于…的报告”) is whole: the lines above it are the cover's
    for _ in range(0 if re.match(r"\s*关于", text[line_start:start]) else 2):
        above = _line_above(text, top)
        if above is None:
            break
        s, e = above
        line = text[s:e].strip()
        if (
            not line
            or len(line) > 30
            or _NOT_TITLE_LINE.search(line)
            or "\t" in text[s:e]  # a table's row (“总分\t100\t93.8”) ends what is above
            or re.search(r"\d", re.sub(r"\d{4}\s*年度?", "", line))  # figures other than a year
            or PAGE_NUMBER.fullmatch(line)
            or _DATE_LINE.search(line)
            or _title_rx().search(line)  # another title (a running header) above this one
            or _cover_label().match(line)  # “部门(单位)名称  某某局”: a cover line, no title
        ):
            break
        top = s
    return top, end


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


def title_parts(g: Grounder, block: tuple[int, int], label: int, origin: str) -> list[Cue]:
    """The title over ``block``, and the year and unit named before its ``label``."""
    text = g.doc.text
    start, end = block
    rank = 3 if origin == "title" else 2
    weight = 0.8 if origin == "title" else 0.4
    out = cue("report.title", g.text(start, end, origin), origin, rank)
    # The year before the label (a unit's name may follow it), else in a “(2023年度)” after.
    year = _YEAR_IN_TITLE.search(text, start, label) or re.compile(
        "(" + YEAR_NUM + r")\s*年"
    ).search(text, label, end)
    if year:
        v = g.text(year.start(1), year.end(1), origin, value=year_value(year.group(1)))
        out += cue(YEAR, v, origin, 3, weight=1.0 if origin == "title" else 0.6)
    name_end = _FILLER.search(text, start, label).start()
    if year and year.start() > label:
        name_start = start
    elif year and year.start() > start and text[start : year.start()].strip():
        name_end = min(name_end, year.start())
        name_start = start
    else:
        name_start = year.end() if year else start
    named = unit_name(g, name_start, name_end, origin, rank, weight)
    # else a name bracketed after the title, on its line or the next: “…报告（XX县档案馆）”
    nxt = end + 1
    under = _NAME_LINE.fullmatch(text, nxt, eol(text, nxt)) if nxt < len(text) else None
    for found in (_BRACKETED.search(text, label, end), under):
        if not named and found:
            named = unit_name(g, found.start(1), found.end(1), origin, rank, weight)
    return out + named


# --- a running header -------------------------------------------------------------------------


def header_cues(g: Grounder) -> list[Cue]:
    """The unit (and year) of a line standing at the top or foot of most pages."""
    doc = g.doc
    if len(doc.pages) < 3:
        return _top_line(g)
    edges: dict[int, list[tuple[int, int]]] = {}
    for line in doc.lines:
        s, e = g.trim(line.span.start, line.span.end)
        if e > s and not PAGE_NUMBER.fullmatch(doc.text, s, e):
            edges.setdefault(line.page, []).append((s, e))
    seen: dict[str, list[tuple[int, int]]] = {}
    for spans in edges.values():
        for s, e in {spans[0], spans[-1]}:
            seen.setdefault(_SPACES.sub("", doc.text[s:e]), []).append((s, e))
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
    return unit_name(g, s, e, "header", 2, 0.4)


def _top_line(g: Grounder) -> list[Cue]:
    """A document without pages to repeat a header on (DOCX, text) may open with its
    running header read once (docx.py writes the 页眉 first) or a cover line: a unit's name
    standing alone on the first line, set apart from what follows by a blank line."""
    lines = g.doc.lines
    if not lines:
        return []
    s, e = g.trim(lines[0].span.start, lines[0].span.end)
    after = g.doc.text[lines[0].span.end : lines[0].span.end + 2]
    if e - s > 40 or _title_rx().search(g.doc.text, s, e) or not after.startswith("\n\n"):
        return []
    return unit_name(g, s, e, "header", 2, 0.4)
