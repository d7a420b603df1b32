"""The narrative: quantified achievements, problems (存在的问题) and measures (改进措施).

Owns: choosing the narrative sections by their titles, cutting them into sentences and
items, and reading the figures of each achievement sentence (value, unit, comparator,
direction, and the words before the figure as its name). Must not read tables nor touch
budget figures (prose.py does).
"""

from __future__ import annotations

import re

from service.extract.ground import Grounder
from service.extract.sections import Section
from service.extract.text import prose_regions, sentences
from service.records import Achievement, ListItem, Metric
from service.records.numbers import find_quantities

ACHIEVEMENT_TITLES = re.compile(
    r"工作开展情况|实际完成情况|完成情况|成效|主要成绩|产出及效果|履职效能|工作亮点|主要工作"
)
PROBLEM_TITLES = re.compile(r"存在的?(?:主要)?问题")
MEASURE_TITLES = re.compile(r"改进措施|改进意见|下一步|工作打算|整改措施|改进建议")
_NAME_DELIM = "，,、；;。:：(（)）\n"
# Lead-in words before the counted thing: time, subject, adverbs (“2021年以来累计办理…”).
_NAME_LEAD = re.compile(
    r"^(?:\d{4}年(?:以来|度)?|今年以来|截至目前|目前|全年|年底|年末|本年|我局|我市|本单位|支队|"
    r"市本级|其中|共计|共|累计|已|并|另|且|合计|总计|全面|共向我市|向我市|全县|全市|全区|全书共|"
    # the action verb before the thing counted (“开展食品安全监督抽检1200批”)
    r"开展|发放|出具|完成(?=\S{2}))+"
)
# Text before a figure that names nothing: a preposition or an example list (“鼎鑫锰业等”).
_NO_NAME = re.compile(r"^(?:对|向|为|在|完成|开展|对全市|全市)?$|等$")
_AFTER_UNIT = re.compile(r"[\u4e00-\u9fffA-Za-z“”\"]{2,14}?(?=进行|开展|定期|的|，|,|。|；|;|、|$)")
_MARKER = re.compile(
    r"\s*(?:[(（]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）]|\d{1,2}\s*[、.](?!\d)|"
    r"[一二三四五六七八九十]{1,3}\s*、|[-•·])\s*"
)


def _sections_titled(root: Section, rx: re.Pattern[str]) -> list[Section]:
    """Outermost sections whose title matches (a matching child of a match is not repeated)."""
    out: list[Section] = []
    for s in root.walk():
        if (
            s.level
            and rx.search(s.title)
            and not any(s.span.start >= o.span.start and s.span.end <= o.span.end for o in out)
        ):
            out.append(s)
    return out


def _prose_spans(g: Grounder, start: int, end: int) -> list[tuple[int, int]]:
    return [
        (max(start, r.start), min(end, r.end))
        for r in prose_regions(g.doc)
        if r.end > start and r.start < end
    ]


# --- achievements --------------------------------------------------------------------------


def achievements(g: Grounder, root: Section) -> list[Achievement]:
    out: list[Achievement] = []
    text = g.src
    chosen = _sections_titled(root, ACHIEVEMENT_TITLES)
    for para in g.paragraphs():
        at = g.to_doc(para.start, para.end)[0]
        if not any(s.span.start <= at < s.span.end for s in chosen):
            continue
        for sent in sentences(text, para.start, para.end):
            ach = _achievement(g, root, sent.start, sent.end)
            if ach is not None:
                out.append(ach)
    return out


def _achievement(g: Grounder, root: Section, start: int, end: int) -> Achievement | None:
    text = g.src
    # A heading marker at the start belongs to the heading, not the sentence.
    head = _MARKER.match(text, start, end)
    if head:
        start = head.end()
    body = text[start:end]
    if _SCORE_SENTENCE.search(body):
        return None  # the self-evaluation's score and grade: report fields, not results
    metrics: list[Metric] = []
    previous_end = 0
    for q in find_quantities(body):
        after = body[q.end : q.end + 2]
        if q.comparator in ("以上", "以下") and after.startswith("的"):
            continue  # a threshold (“10万元以上的案件”), not a result
        if body.count("“", 0, q.start) > body.count("”", 0, q.start):
            continue  # inside quotes: part of a name or slogan (“八个100%”标准)
        value = g.quantity(q, start, "narrative")
        name = _metric_name(body, q.start, previous_end, q.end)
        if name in _THEN and metrics and metrics[-1].name:
            # “办理行政处罚案件157件（去年135件）”: last year's figure of the same thing
            name = name + _NAME_LEAD.sub("", metrics[-1].name)
        metrics.append(Metric(name=name, value=value))
        previous_end = q.end
    if not metrics:
        return None
    sentence = g.text(start, end, "narrative")
    if sentence is None:
        return None
    section = root.innermost(g.to_doc(start, end)[0])
    return Achievement(text=sentence, section=section.title or None, metrics=metrics)


_THEN = frozenset({"去年", "上年", "上年同期", "同期", "前年"})
_SCORE_SENTENCE = re.compile(r"自评得分|自评总分|评价等级|得分\d|分值\d")


def _metric_name(body: str, pos: int, floor: int = 0, end: int | None = None) -> str | None:
    """What a figure counts: the words before it in its clause without lead-ins; when
    those name nothing (“对646家对象…”), the noun right after the figure."""
    i = pos
    while i > floor and body[i - 1] not in _NAME_DELIM:
        i -= 1
    name = re.sub(r"\s+", "", body[i:pos])
    name = _NAME_LEAD.sub("", name)
    name = re.sub(r"(?:达到|达|为|是|约|近|共|了|共计)+$", "", name)
    name = re.sub(r"(?<=\S{2})的$", "", name)  # “较大风险级别的12个”
    if _NO_NAME.search(name) and end is not None:
        after = _AFTER_UNIT.match(re.sub(r"\s+", "", body[end:]))
        if after:
            return after.group(0)
    return name or None


# --- problems and measures ----------------------------------------------------------------


def problems(g: Grounder, root: Section) -> list[ListItem]:
    return _list_items(g, root, PROBLEM_TITLES)


def measures(g: Grounder, root: Section) -> list[ListItem]:
    return _list_items(g, root, MEASURE_TITLES)


def _list_items(g: Grounder, root: Section, rx: re.Pattern[str]) -> list[ListItem]:
    out: list[ListItem] = []
    for section in _sections_titled(root, rx):
        if section.level > 2:
            continue  # “下一步” inside a narrative item is not the measures part
        if section.children:
            for child in section.children:
                item = _child_item(g, child)
                if item is not None:
                    out.append(item)
            continue
        for start, end in _prose_spans(g, section.body.start, section.body.end):
            for para in _paragraph_spans(g.doc.text, start, end):
                v = g.text(*para, locator="narrative")
                if v is not None:
                    out.append(ListItem(text=v))
    return out


def _paragraph_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text[start:end]):
        if m.group(0).strip():
            out.append((start + m.start(), start + m.end()))
    return out


def _child_item(g: Grounder, child: Section) -> ListItem | None:
    text = g.doc.text
    line_start, line_end = child.heading.start, child.heading.end
    marker = _MARKER.match(text, line_start, line_end)
    content_start = marker.end() if marker else line_start
    body_has_text = bool(text[child.body.start : child.body.end].strip())
    heading_text = text[content_start:line_end].strip()
    # A short line without a sentence end is a heading; a long one is a wrapped first line.
    if body_has_text and len(heading_text) < 25 and not re.search(r"[。；;]", heading_text):
        # A heading line with its text below: title + body.
        title = g.text(content_start, line_end, "narrative")
        body = g.text(child.body.start, child.body.end, "narrative")
        if body is None:
            return None
        return ListItem(title=title, text=body)
    # A run-in title: “（1）预算执行进度不均衡。受项目实施周期影响，……” — a short first
    # sentence with no comma, then the text.
    if m := _RUN_IN_TITLE.match(text, content_start, child.span.end):
        title = g.text(m.start(1), m.end(1), "narrative")
        body = g.text(m.end(), child.span.end, "narrative")
        if title is not None and body is not None:
            return ListItem(title=title, text=body)
    v = g.text(content_start, child.span.end, "narrative")
    return None if v is None else ListItem(text=v)


_RUN_IN_TITLE = re.compile(r"\s*([^。；;，,：:！!？?\n]{2,24})。\s*(?=\S)")
