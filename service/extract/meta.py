"""Report metadata and staffing from the cover page and the prose.

Owns: title, department, fiscal year, budget code, report date, evaluation method and
evaluator (the ☒/☐ checkboxes of the cover), grade, total score stated in prose, and the
(headcounts are staffing.py's). Proposes ``Candidate``s; never decides between
them (resolve.py does). Must not read tables (tables.py does).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from service.extract.ground import Grounder
from service.extract.resolve import Candidate
from service.records.numbers import find_date, parse_quantity

_CHECKED = "☒☑✓✔√■"
_UNCHECKED = "☐□"
# A unit name ends in one of these (rejects a title that names only a city: “耒阳市…”).
_UNIT_SUFFIX = r"(?:局|分局|支队|大队|中心|办公室|委员会|院|所|站|队|厅|部|会|处|室|馆|校|社|团|办)"


def _loose(word: str) -> str:
    """A keyword that may be broken over lines (a wrapped PDF title)."""
    return r"\s*".join(map(re.escape, word))


_TITLE_TAIL = (
    rf"(?:{_loose('部门')}\s*)?{_loose('整体支出绩效')}\s*(?:{_loose('自评')}|{_loose('评价')})"
    rf"\s*(?:{_loose('情况')}\s*)?{_loose('报告')}"
)
# “2021年度<单位>整体支出绩效自评报告” (Hunan) or “<单位>2023年度部门整体支出…” (Sichuan).
_TITLE_RE = re.compile(
    r"(?P<year>\d{4})\s*年\s*度?\s*(?P<dept>[^\n]{2,40}?(?:\n\s*[^\n]{1,40}?)?)" + _TITLE_TAIL
)
_TITLE_DEPT_FIRST = re.compile(
    r"(?m)^\s*(?P<dept>[^\n\d]{2,40}?)\s*(?P<year>\d{4})\s*年\s*度?\s*" + _TITLE_TAIL
)
_YEAR_PHRASES = re.compile(
    r"(?P<year>20\d{2})\s*年度?\s*(?:部门整体支出|预算支出|整体支出)?\s*绩效(?:自评|评价)"
)
_COVER_FIELDS = {
    "report.department": r"(?:部门\s*[(（]\s*单位\s*[)）]\s*名称|单位名称|部门名称)",
    "report.budget_code": r"预算编码|预算代码|单位编码",
}
_GRADE_RE = re.compile(
    r"(?:自评|评价|自查自评)(?:结果|等级|结论)(?:为|是|:|：)\s*[“\"]?"
    r"(?P<grade>优秀|良好|合格|不合格|中等|较差|优|良|中|差)"
)
_SCORE_RE = re.compile(
    r"(?:自评|评价)?(?:总得分|综合得分|自评得分|总分)\s*(?:为|是|:|：)?\s*"
    r"(?P<num>\d{1,3}(?:\.\d+)?)\s*分"
)


def _iter(pattern: str | re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    rx = re.compile(pattern) if isinstance(pattern, str) else pattern
    return rx.finditer(text)


def title_candidates(g: Grounder, head_end: int) -> list[Candidate]:
    """Title, department and year from the title lines before the first heading."""
    text = g.doc.text
    out: list[Candidate] = []
    m = _TITLE_RE.search(text, 0, head_end)
    first = _TITLE_DEPT_FIRST.search(text, 0, head_end)
    if first and (m is None or first.start() < m.start()):
        m = first
    if not m:
        first = re.search(r"\S[^\n]*报告", text[:head_end])
        if first and (v := g.text(first.start(), first.end(), "title")):
            out.append(Candidate("report.title", v, "title"))
        return out
    start = text.rfind("\n", 0, m.start()) + 1
    if v := g.text(start, m.end(), "title"):
        out.append(Candidate("report.title", v, "title"))
    y = g.text(m.start("year"), m.end("year"), "title", value=int(m.group("year")))
    if y:
        out.append(Candidate("report.fiscal_year", y, "title"))
    dept = re.sub(r"\s+", "", m.group("dept"))
    v = g.text(m.start("dept"), m.end("dept"), "title")
    if v is not None and re.search(_UNIT_SUFFIX + r"$", dept):
        out.append(Candidate("report.department", v, "title", weight=0.5))
    return out


def _in_prose(g: Grounder, pos: int) -> bool:
    if g.view is not None:
        return True  # the prose view holds no tables
    return not any(t.span.start <= pos < t.span.end for t in g.doc.tables)


def cover_candidates(g: Grounder) -> list[Candidate]:
    text = g.doc.text
    out: list[Candidate] = []
    for path, label in _COVER_FIELDS.items():
        for m in _iter(rf"(?:{label})\s*[:：]\s*([^\n\t]+)", text):
            if v := g.text(m.start(1), m.end(1), "cover"):
                out.append(Candidate(path, v, "cover"))
    for m in _iter(r"报告日期\s*[:：]\s*([^\n]+)", text):
        found = find_date(m.group(1))
        if found:
            d, s, e = found
            if v := g.text(m.start(1) + s, m.start(1) + e, "cover", value=d):
                out.append(Candidate("report.report_date", v, "cover"))
    out += _checkbox(g, r"评价方式", "report.evaluation_method", _method)
    out += _checkbox(g, r"评价机构", "report.evaluator", None)
    return out


def prose_candidates(g: Grounder) -> list[Candidate]:
    """Year, grade and total score stated in sentences (give a prose-view grounder)."""
    text = g.src
    out: list[Candidate] = []
    for m in _YEAR_PHRASES.finditer(text):
        if not _in_prose(g, m.start()):
            continue
        if v := g.text(m.start("year"), m.end("year"), "prose", value=int(m.group("year"))):
            out.append(Candidate("report.fiscal_year", v, "prose"))
    for m in _GRADE_RE.finditer(text):
        if not _in_prose(g, m.start()):
            continue
        if v := g.text(m.start("grade"), m.end("grade"), "prose"):
            out.append(Candidate("report.grade", v, "prose"))
    for m in _SCORE_RE.finditer(text):
        q = parse_quantity(m.group("num"))
        if q is not None and _in_prose(g, m.start()):
            v = g.quantity(q, m.start("num"), "prose").model_copy(update={"unit": "分"})
            out.append(Candidate("report.total_score", v, "prose"))
    return out


def _method(option: str) -> str:
    return "中介机构评价" if "中介" in option else "自评"


def _checkbox(g: Grounder, label: str, path: str, normalise) -> list[Candidate]:  # noqa: ANN001
    """The ticked option after ``label:`` — options may run over the next lines."""
    text = g.doc.text
    m = re.search(rf"{label}\s*[:：]", text)
    if not m:
        return []
    # The options: up to the next line that holds another 'label:' field.
    end = m.end()
    window_end = min(len(text), end + 120)
    nxt = re.compile(r"\n\s*[^\n☒☑☐□]{2,8}[:：]").search(text, end, window_end)
    region_end = nxt.start() if nxt else window_end
    out: list[Candidate] = []
    for opt in re.finditer(rf"([^\s☒☑✓✔√■☐□:：]+)\s*([{_CHECKED}])", text[end:region_end]):
        s, e = end + opt.start(1), end + opt.end(2)
        option = opt.group(1)
        value = normalise(option) if normalise else re.sub(r"\s+", "", option)
        if v := g.text(s, e, "cover", value=value):
            out.append(Candidate(path, v, "cover"))
    if not out and (lost := _box_lost_in_ocr(text, end, region_end)):
        s, e = lost
        option = text[s:e]
        value = normalise(option) if normalise else re.sub(r"\s+", "", option)
        if v := g.text(s, e, "cover:box lost", value=value):
            out.append(Candidate(path, v, "cover", weight=0.5))
    return out


# The cover's options, as the templates print them.
_OPTION = re.compile(r"部门\s*[（(]\s*单位\s*[)）]\s*(?:自评|评价组)|中介机构(?:评价)?|单位自评")


def _box_lost_in_ocr(text: str, start: int, end: int) -> tuple[int, int] | None:
    """OCR tends to drop a ticked box (☒) and keep the empty ones (□): when no option is
    ticked, every other option is boxed empty and exactly one option has no box at all, that
    one is the ticked one. Its span, else None."""
    bare, boxed = [], 0
    for m in _OPTION.finditer(text, start, end):
        mark = text[m.end() : m.end() + 2].strip()[:1]
        if mark and mark in _UNCHECKED:
            boxed += 1
        elif not mark or mark not in _CHECKED:
            bare.append((m.start(), m.end()))
    return bare[0] if len(bare) == 1 and boxed else None
