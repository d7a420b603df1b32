"""The narrative: quantified achievements, problems (存在的问题) and measures (改进措施).

Owns: choosing the narrative sections by their titles, cutting them into sentences and
items, and reading the figures of each achievement sentence (value, unit, comparator,
direction; what a figure counts, its name and a unit after 万, are metric_names.py's). Must
not read tables nor touch budget figures (prose.py does).
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from service.extract.achievement_parts import in_budget_part, restated_money
from service.extract.enumerate import ITEM_MARKER, numbered_runs
from service.extract.ground import Grounder
from service.extract.lexicon import lexicon
from service.extract.metric_names import NAME_LEAD, metric_name, not_a_count, wan_count
from service.extract.pattern_needs import NeedsIndex
from service.extract.sections import Section
from service.extract.text import Block, paragraphs, prose_regions, sentences
from service.extract.wrapped_lists import join_wrapped
from service.records import Achievement, ListItem, Metric, Value
from service.records.numbers import find_quantities


@cache
def _achievement_titles() -> re.Pattern[str]:
    """Titles of the parts holding achievements (lexicon lists.toml)."""
    return re.compile(lexicon().field("achievements[].text").label_pattern())


@cache
def _not_metric() -> re.Pattern[str]:
    """Names of figures that are budget fields or budget execution, not achievements."""
    return re.compile(lexicon().field("achievements[].text").excludes_pattern())


_MARKER = re.compile(
    r"\s*(?:[(（]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）]|\d{1,2}\s*[、.](?!\d)|"
    r"\d{1,2}\s*\.(?=\d{4}\s*年)|"  # “3.2022年，全年…”: the item's number, then the year
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


def _held_by_any(sections: list[Section]) -> Callable[[int], bool]:
    """Whether an offset lies in any of the sections' spans, by bisection (reports joined
    into one file have hundreds of such sections, and every paragraph asks)."""
    spans = sorted((s.span.start, s.span.end) for s in sections)
    starts = [a for a, _ in spans]
    reach = list(itertools.accumulate((b for _, b in spans), max))

    def held(at: int) -> bool:
        k = bisect.bisect_right(starts, at)  # those starting at or before ``at``
        return k > 0 and reach[k - 1] > at

    return held


def achievements(
    g: Grounder, root: Section, stated: Iterable[tuple[str, Value]] = ()
) -> list[Achievement]:
    """Achievement sentences under the achievement headings; a report without any such
    heading (a short one) has them anywhere outside the problems and measures. Never in
    a part about the budget's own figures (预算执行, 三公, 项目支出 …), and a sum of money
    ``stated`` as a budget or 三公 field elsewhere is no achievement of the unit's work."""
    out: list[Achievement] = []
    text = g.src
    chosen = [s for s in _sections_titled(root, _achievement_titles()) if not heading_kind(s.title)]
    in_chosen, in_lists = _held_by_any(chosen), _held_by_any(_list_sections(root))
    restated = restated_money(stated)
    for para in g.paragraphs():
        if not _ANY_DIGIT.search(text, para.start, para.end):
            continue  # an achievement states a figure (half the paragraphs state none)
        at = g.to_doc(para.start, para.end)[0]
        if chosen and not in_chosen(at):
            continue
        if not chosen and in_lists(at):
            continue
        if in_budget_part(root.innermost(at)):
            continue
        for sent in sentences(text, para.start, para.end):
            ach = _achievement(g, root, sent.start, sent.end)
            if ach is not None:
                ach.metrics = [m for m in ach.metrics if not restated(m.value)]
                if ach.metrics:
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
    skipped = False
    for q in find_quantities(body):
        if not_a_count(body, q, previous_end):
            continue
        q = wan_count(body, q)
        name = metric_name(body, q.start, previous_end, q.end)
        relative = skipped and _RELATIVE.fullmatch(name or "")
        if relative or _not_metric().search(_clause_before(body, q.start) + (name or "")):
            # a budget figure (read as a budget field), its execution rate or its change
            previous_end, skipped = q.end, True
            continue
        skipped = False
        value = g.quantity(q, start, "narrative")
        if q.direction and name and _VERSUS.search(name):
            # “同比增长12%”: the change is named with its direction as written
            name += re.match(r"\D*", body[q.start : q.end]).group(0).strip()  # type: ignore[union-attr]
        if name in _THEN and metrics and metrics[-1].name:
            # “办理行政处罚案件157件（去年135件）”: last year's figure of the same thing
            name = name + NAME_LEAD.sub("", metrics[-1].name)
        metrics.append(Metric(name=name, value=value))
        previous_end = q.end
    if not metrics:
        return None
    sentence = g.text(start, end, "narrative")
    if sentence is None:
        return None
    section = root.innermost(g.to_doc(start, end)[0])
    if section.parent is not None and _is_the_sentence(section.title, str(sentence.value)):
        section = section.parent  # “1.全年…。” read as a heading: its part names it
    return Achievement(text=sentence, section=section.title or None, metrics=metrics)


def _is_the_sentence(title: str, sentence: str) -> bool:
    """Whether a heading's title is the sentence itself (a numbered result line), not a
    short title run into its paragraph."""
    t, s = re.sub(r"\W+", "", title), re.sub(r"\W+", "", sentence)
    return bool(t) and s.startswith(t) and len(t) >= 0.8 * len(s)


_ANY_DIGIT = re.compile(r"\d")
_VERSUS = re.compile(r"(?:同比|环比|比上年|较上年|比去年|较去年|比上年同期|较上年同期)$")
# A figure named only against the one before (“，同比下降8%”, “比上年增加3人”).
_RELATIVE = re.compile(
    r"(?:同比|比上年|较上年|比去年|较去年|环比)?(?:增长|下降|减少|增加|上升|降低)?"
)


def _clause_before(body: str, pos: int) -> str:
    """The words of the clause before a figure (brackets kept: “因公出国(境)费”)."""
    cut = max(body.rfind(c, 0, pos) for c in "，,；;。:：")
    return body[cut + 1 : pos]


_THEN = frozenset({"去年", "上年", "上年同期", "同期", "前年"})
_SCORE_SENTENCE = re.compile(r"自评得分|自评总分|评价等级|得分\d|分值\d")


# --- problems and measures ----------------------------------------------------------------

PROBLEM, MEASURE, BOTH = "problem", "measure", "both"


def problems(g: Grounder, root: Section) -> list[ListItem]:
    return [item for kind, item in narrative_lists(g, root) if kind == PROBLEM]


def measures(g: Grounder, root: Section) -> list[ListItem]:
    return [item for kind, item in narrative_lists(g, root) if kind == MEASURE]


def problems_and_measures(g: Grounder, root: Section) -> tuple[list[ListItem], list[ListItem]]:
    """``problems`` and ``measures`` from one reading of the lists (each alone reads them
    all and keeps its kind)."""
    lists = narrative_lists(g, root)
    return (
        [item for kind, item in lists if kind == PROBLEM],
        [item for kind, item in lists if kind == MEASURE],
    )


def narrative_lists(g: Grounder, root: Section) -> list[tuple[str, ListItem]]:
    """Every item of 存在的问题 and 改进措施, each tagged PROBLEM or MEASURE, in document
    order: under their headings (a combined heading holds both), and after a run-in heading
    in a paragraph elsewhere (“存在问题方面，一是…；二是…”)."""
    out: list[tuple[str, ListItem]] = []
    covered: list[tuple[int, int]] = []
    heads = {s.heading.start for s in root.walk() if s.level}
    # once, not once per section: linear; a PDF line wrap inside an item parts nothing
    paras = _Paragraphs(join_wrapped(g.doc, list(paragraphs(g.doc)), heads))
    for section in _list_sections(root):
        kind = heading_kind(section.title)
        assert kind is not None
        out += _section_items(g, section, kind, paras)
        covered.append((section.span.start, section.span.end))
    inside = _Union(covered)
    state = NONE_YET
    for para in paras.all:
        if para.start in heads or inside(para.start):
            state = NONE_YET
            continue
        if state != PROBLEM and not _run_in_words().possible(g.doc.text, para.start, para.end):
            state = NONE_YET  # no run-in heading's words in it: no item, whatever its sentences
            continue
        # Outside the lists a paragraph counts only from a run-in heading on; the one
        # right after may go on with the measures (“针对上述问题，…”).
        pieces, state = _pieces(g.doc.text, para.start, para.end, state, outside=True)
        out += _items(g, pieces)
    out.sort(key=lambda ki: ki[1].text.source.span.start if ki[1].text.source else 0)
    return out


NONE_YET = ""  # outside the lists: only a run-in heading makes a paragraph an item


def heading_kind(title: str) -> str | None:
    """PROBLEM, MEASURE or BOTH for a title of the lists, None for any other title."""
    w = _list_words()
    p, m = w.problem.search(title), w.measure.search(title)
    if p and m:
        return BOTH
    return PROBLEM if p else MEASURE if m else None


def _list_sections(root: Section) -> list[Section]:
    """The outermost sections titled as problems or measures; below the second level only
    a title that is the heading words alone (“3.下一步工作打算”), not an item about them."""
    out: list[Section] = []
    for s in root.walk():
        if not s.level or heading_kind(s.title) is None:
            continue
        if any(o.span.start <= s.span.start and s.span.end <= o.span.end for o in out):
            continue
        if s.level > 2 and not _only_heading_words(s.title):
            continue
        out.append(s)
    return out


def _only_heading_words(title: str) -> bool:
    w = _list_words()
    rest = w.problem.sub("", w.measure.sub("", title))
    rest = _FILLER.sub("", rest)
    return len(re.sub(r"[\W\d_]+", "", rest)) <= 4


# Words around heading words and in list leads that say nothing themselves.
_FILLER = re.compile(
    r"针对|上述|以上|这些|存在的?|问题|不足|方面|下一步|今后|接下来|我单位|我局|本单位|本部门|"
    r"我们|单位|部门|[将拟]|主要|表现在|体现在|如下|以下|几个|几点|具体|有|是|为|在|及|和|与|"
    r"原因|分析|情况|工作|\d{4}年度?|年度"
)


class _Union:
    """Whether an offset lies in any of the spans [a, b), by bisection over their union."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for a, b in sorted(s for s in spans if s[0] < s[1]):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self.starts = [a for a, _ in merged]
        self.ends = [b for _, b in merged]

    def __call__(self, offset: int) -> bool:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i >= 0 and offset < self.ends[i]


class _Paragraphs:
    """The document's paragraphs, made once per pass; those starting in [start, end) found
    by bisection (paragraphs come in document order)."""

    def __init__(self, blocks: list[Block]) -> None:
        self.all = blocks
        self.starts = [b.start for b in blocks]
        self.ordered = all(a <= b for a, b in zip(self.starts, self.starts[1:], strict=False))

    def starting_in(self, start: int, end: int) -> list[Block]:
        if not self.ordered:
            return [p for p in self.all if start <= p.start < end]
        first = bisect.bisect_left(self.starts, start)
        return self.all[first : bisect.bisect_left(self.starts, end)]


def _section_items(
    g: Grounder, section: Section, kind: str, paras: _Paragraphs
) -> list[tuple[str, ListItem]]:
    out: list[tuple[str, ListItem]] = []
    # “四、存在的问题：一是…；二是…” — the items run on in the heading's own line.
    line = g.doc.text[section.heading.start : section.heading.end]
    start = section.heading.start if _runs_on(line, section.title) else section.body.start
    if not section.children:
        return _paragraph_items(g, start, section.body.end, kind, paras)
    out += _paragraph_items(g, start, section.children[0].span.start, kind, paras)
    state = MEASURE if kind == MEASURE else PROBLEM
    for child in section.children:
        sub = heading_kind(child.title) or (_bare_kind(g, child) if kind == BOTH else None)
        if sub is not None and _only_heading_words(child.title):
            out += _section_items(g, child, sub, paras)
            continue
        # “1.问题：…。措施：…” — a problem and its measure in one item; “针对以上问题，…”
        # after the last problem item starts the measures.
        pieces, state = _pieces(
            g.doc.text, child.heading.start, child.span.end, state, both=kind == BOTH
        )
        if len(pieces) > 1 or (
            state == PROBLEM
            and _THEN_MEASURE.search(g.doc.text, child.heading.start, child.span.end)
        ):
            out += _items(g, pieces)
            continue
        item = _child_item(g, child)
        if item is not None and not _says_nothing(str(item.text.value)):
            out.append((state, item))
    return out


def _bare_kind(g: Grounder, child: Section) -> str | None:
    """PROBLEM or MEASURE for a one-word sub-heading of a combined part standing alone on
    its line (“（一）问题”, “（二）建议”; not “1.问题：…。措施：…”)."""
    line = g.doc.text[child.heading.start : child.heading.end]
    m = _INTERLEAVED.fullmatch(child.title.strip() + "：")
    if m is None or _runs_on(line, child.title):
        return None
    return PROBLEM if m.group(1) else MEASURE


def _runs_on(line: str, title: str) -> bool:
    rest = line[line.find(title) + len(title) :] if title in line else ""
    return len(re.sub(r"[\W_]+", "", rest)) >= 4


def _paragraph_items(
    g: Grounder, start: int, end: int, kind: str, paras: _Paragraphs
) -> list[tuple[str, ListItem]]:
    """The items of the paragraphs in [start, end): one per paragraph, or one per inline
    numbered item after a lead that only heads them. A run-in heading switches the kind
    for the text after it and the paragraphs after that."""
    out: list[tuple[str, ListItem]] = []
    state = MEASURE if kind == MEASURE else PROBLEM
    for para in paras.starting_in(start, end):
        pieces, state = _pieces(
            g.doc.text, para.start, min(para.end, end), state, both=kind == BOTH
        )
        out += _items(g, pieces)
    return out


def _pieces(
    text: str, start: int, end: int, state: str, outside: bool = False, both: bool = False
) -> tuple[list[tuple[str, int, int]], str]:
    """(kind, start, end) of the parts of a paragraph between run-in headings standing at
    its start or after a sentence end, and the kind in force at its end."""
    cuts: list[tuple[int, str, int]] = []
    for pos in [start, *(start + m.end() for m in re.finditer(r"[。;；]", text[start:end]))]:
        lead = _run_in(text, pos, end, explicit=state in (NONE_YET, MEASURE), both=both)
        if lead is not None:
            cuts.append((pos, *lead))
        elif pos == start and outside:
            state = NONE_YET
    pieces: list[tuple[str, int, int]] = []
    cur, cur_start = state, start
    for pos, kind, body in cuts:
        if cur and pos > cur_start:
            pieces.append((cur, cur_start, pos))
        cur, cur_start = kind, body
    if cur and end > cur_start:
        pieces.append((cur, cur_start, end))
    return [p for p in pieces if text[p[1] : p[2]].strip()], cur


def _items(g: Grounder, pieces: list[tuple[str, int, int]]) -> list[tuple[str, ListItem]]:
    out: list[tuple[str, ListItem]] = []
    for kind, start, end in pieces:
        for s, e in _items_of(g.doc.text, start, end):
            for k, (a, b) in _problem_then_measure(g.doc.text, kind, s, e):
                item = _item(g, a, b)
                if item is not None and not _says_nothing(str(item.text.value)):
                    out.append((k, item))
    return out


# “一是A，下一步将B”: a problem and, after the lead, what will be done about it.
_THEN_MEASURE = re.compile(
    r"[，,；;]\s*(?:下一步|下步|今后|接下来|下阶段|下一阶段)(?:工作中)?[，,]?\s*"
    r"(?:我们|我单位|我局|本单位|本部门|单位)?\s*(?:将|要|拟|应|需|会)?\s*"
)


def _problem_then_measure(
    text: str, kind: str, start: int, end: int
) -> list[tuple[str, tuple[int, int]]]:
    """A problem item holding its measure after “，下一步将…” as two items; any other
    item whole."""
    m = _THEN_MEASURE.search(text, start, end) if kind == PROBLEM else None
    if m is None or m.start() - start < 4 or len(text[m.end() : end].strip()) < 4:
        return [(kind, (start, end))]
    return [(PROBLEM, (start, m.start())), (MEASURE, (m.end(), end))]


def _items_of(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Inline numbered items (“一是…；二是…。”) when the words before the first one only
    lead into them, each without its marker; otherwise the text whole."""
    runs = numbered_runs(text, start, end)
    if runs and _leads_only(text[start : runs[0][0]]):
        return [(ITEM_MARKER.match(text, s, e).end(), e) for s, e in runs]  # type: ignore[union-attr]
    first = ITEM_MARKER.match(text, start, end)
    return [(first.end() if first else start, end)]


def _leads_only(lead: str) -> bool:
    w = _list_words()
    rest = _FILLER.sub("", w.problem.sub("", w.measure.sub("", lead)))
    return len(re.sub(r"[\W\d_]+", "", rest)) <= 4


def _run_in(
    text: str, start: int, end: int, explicit: bool = False, both: bool = False
) -> tuple[str, int] | None:
    """(kind, where the text after it starts) of a run-in heading at ``start``: “存在问题
    方面，”, “主要问题：”, “改进措施：”, and (unless ``explicit``) the leads of measures
    after problems: “针对上述问题，下一步我单位将：”, “下一步，”."""
    w = _list_words()
    marker = _HEAD_MARKER.match(text, start, end)
    at = marker.end() if marker else start
    head = text[at : min(end, at + 40)]
    for kind, rx in ((PROBLEM, w.problem_run_in), (MEASURE, w.measure_run_in)):
        if m := rx.match(head):
            return kind, at + m.end()
    if not explicit and (m := _MEASURE_LEAD.match(head) or _MEASURE_LINE.match(head)):
        # after problems: “针对上述问题，…”, “下一步，…”, a line “措施：…”
        return MEASURE, at + m.end()
    if both and (m := _INTERLEAVED.match(head)):
        # “1.问题：…。措施：…” in a part holding both
        return (PROBLEM if m.group(1) else MEASURE), at + m.end()
    return None


_INTERLEAVED = re.compile(
    r"\s*(?:(存在的?问题|主要问题|问题|不足|困难)|措施|对策|建议|改进(?:方向|措施|建议)?|"
    r"整改(?:措施|方向|情况)?|下一步(?:打算|计划|措施)?)\s*[:：]"
)


_MEASURE_LINE = re.compile(
    r"\s*(?:措施|对策|建议|改进(?:方向|措施|建议)?|整改(?:措施|方向)?|下一步(?:打算|计划|措施)?)\s*[:：]"
)
_HEAD_MARKER = re.compile(rf"\s*[一二三四五六七八九十]{{1,3}}\s*[、.]\s*|{ITEM_MARKER.pattern}")
_MEASURE_LEAD = re.compile(
    r"\s*(?:针对(?:上述|以上|存在的|这些|上面)?(?:问题|不足)[^。；;]{0,20}?[，,:：]|"
    r"(?:下一步|今后|接下来)[^。；;，,]{0,16}?[:：，,])(?:[^。；;:：]{0,16}?[:：])?"
)


def _item(g: Grounder, start: int, end: int) -> ListItem | None:
    text = g.doc.text
    end = _before_signature(text, start, end)
    while end > start and text[end - 1] in " \t\n\u3000；;，,":
        end -= 1
    if m := _RUN_IN_TITLE.match(text, start, end):
        title = g.text(m.start(1), m.end(1), "narrative")
        body = g.text(m.end(), end, "narrative")
        if title is not None and body is not None:
            return ListItem(title=title, text=body)
    v = g.text(start, end, "narrative")
    return None if v is None else ListItem(text=v)


def _says_nothing(text: str) -> bool:
    """“无。”, “暂无”, “无其他问题”: an answer that there is nothing, not an item."""
    return bool(_list_words().nothing.search(re.sub(r"\s+", "", text)))


def _before_signature(text: str, start: int, end: int) -> int:
    """``end`` moved before the signature closing a report (the unit's name, the date)."""
    while end > start and text[end - 1] in " \t\n\u3000\f":
        end -= 1
    while True:
        line_start = max(text.rfind("\n", start, end), start - 1) + 1
        if line_start >= end or not _SIGNATURE_LINE.fullmatch(text, line_start, end):
            return end
        end = line_start
        while end > start and text[end - 1] in " \t\n\u3000\f":
            end -= 1


_DIGIT = r"[\d〇○零一二三四五六七八九十]"
# The lines closing a report: the unit (盖章), the date (2024年3月, 二〇二四年三月十五日),
# who filled it in and how to reach them (填报人：…  联系电话：…, 日期：…).
_SIGNATURE_LINE = re.compile(
    rf"\s*(?:(?:(?:日期|报告日期|填报日期)\s*[:：]\s*)?{_DIGIT}{{4}}\s*年\s*{_DIGIT}{{1,2}}\s*月"
    rf"(?:\s*{_DIGIT}{{1,3}}\s*日)?"
    r"|[^\s，,。；;:：]{2,30}"
    r"(?:局|中心|院|学校|中学|小学|幼儿园|站|委员会|委|办公室|办|所|政府|馆|队|处|会|公司|厅|街道)"
    r"(?:\s*[(（]\s*(?:盖章|公章)\s*[)）])?"
    r"|[(（]\s*(?:盖章|公章)\s*[)）]"
    r"|(?:填报人|填表人|联系人|联系电话|审核人|单位负责人|负责人|财务负责人|填报单位)\s*[:：].*)\s*"
)


def _child_item(g: Grounder, child: Section) -> ListItem | None:
    text = g.doc.text
    line_start, line_end = child.heading.start, child.heading.end
    marker = _MARKER.match(text, line_start, line_end)
    content_start = marker.end() if marker else line_start
    span_end = _before_signature(text, child.span.start, child.span.end)
    while span_end > child.span.start and text[span_end - 1] in " \t\n\u3000；;，,":
        span_end -= 1  # “1.台账不全；” ends its item at the separator
    body_has_text = bool(text[child.body.start : span_end].strip())
    heading_text = text[content_start:line_end].strip()
    # A short line without a sentence end is a heading; a long one is a wrapped first line.
    if body_has_text and len(heading_text) < 25 and not re.search(r"[。；;]", heading_text):
        # A heading line with its text below: title + body.
        title = g.text(content_start, line_end, "narrative")
        body = g.text(child.body.start, span_end, "narrative")
        if body is None:
            return None
        return ListItem(title=title, text=body)
    # A run-in title: “（1）预算执行进度不均衡。受项目实施周期影响，……” — a short first
    # sentence with no comma, then the text.
    if m := _RUN_IN_TITLE.match(text, content_start, span_end):
        title = g.text(m.start(1), m.end(1), "narrative")
        body = g.text(m.end(), span_end, "narrative")
        if title is not None and body is not None:
            return ListItem(title=title, text=body)
    v = g.text(content_start, span_end, "narrative")
    return None if v is None else ListItem(text=v)


_RUN_IN_TITLE = re.compile(r"\s*([^。；;，,：:！!？?\n]{2,24})。\s*(?=\S)")


@dataclass(frozen=True)
class _ListWords:
    problem: re.Pattern[str]
    measure: re.Pattern[str]
    problem_run_in: re.Pattern[str]
    measure_run_in: re.Pattern[str]
    nothing: re.Pattern[str]


@cache
def _run_in_words() -> NeedsIndex:
    """The words a run-in heading of the problems or the measures needs: a paragraph outside
    the lists without any of them (most) opens neither, so its sentences need not be tried
    (after problems, the measures' leads need none of them: such a paragraph is read)."""
    w = _list_words()
    return NeedsIndex([w.problem_run_in, w.measure_run_in])


@cache
def _list_words() -> _ListWords:
    lex = lexicon()
    problem = lex.field("problems[].text")
    measure = lex.field("measures[].text")
    p, m = problem.label_pattern(), measure.label_pattern()
    # A run-in heading: the heading words at the start of a paragraph, then “方面，” or “：”.
    # (a bold heading run into its paragraph ends with “。”: “存在的问题。一是…”)
    tail = r"[^，,。；;:：]{0,8}?(?:方面|如下|主要有|主要是|有以下几个方面|有)?\s*[，,:：。]"
    return _ListWords(
        problem=re.compile(p),
        measure=re.compile(m),
        problem_run_in=re.compile(rf"\s*(?:在|关于)?(?:{p}){tail}"),
        measure_run_in=re.compile(rf"\s*(?:在|关于)?(?:{m}){tail}(?:[^。；;:：]{{0,16}}?[:：])?"),
        nothing=re.compile(problem.excludes_pattern()),
    )
