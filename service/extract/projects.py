"""Projects (项目支出) stated in the prose, in any template: inline lists in one sentence
(“项目支出主要用于：A专项12.60万元、B补助4.05万元”, “其中…”, “包括…”, “A、B分别为…”) and
one project per numbered paragraph with any lead (1. （1） 一是 ① …) and any verb
(“A项目：年初预算…万元，实际支出…万元”, “（二）B经费。该项目全年支出…”). Tables' projects
come from tables.py; rules.merge_projects joins the two.

Owns: where a project list starts (a heading, a lead-in line, words opening a list), what a
project item is and which of its figures is the budget and which the spending. Inline lists
are project_lists.py's, names project_names.py's, money-first clauses (安排…万元用于A项目)
project_uses.py's. The words live in lexicon/projects.toml. Must not read tables nor decide
budget totals (prose.py does).
"""

from __future__ import annotations

import bisect
import operator
import re
from dataclasses import dataclass
from functools import cache

from service.extract.enumerate import (
    ITEM_MARKER,
    ends_in_change,
    lead_marker,
    money_quantities,
    numbered_runs,
)
from service.extract.ground import Grounder
from service.extract.project_lists import enumerations
from service.extract.project_names import FILLER, name_ok, project_name, words
from service.extract.project_uses import funded_projects
from service.extract.sections import Section
from service.extract.text import Block
from service.records import Project, Value


def prose_projects(g: Grounder, locator_of, sections: Section | None = None) -> list[Project]:  # noqa: ANN001
    """Every project stated in the prose. ``locator_of(offset)`` names the section;
    ``sections`` (the document's section tree) tells a part about projects."""
    out: list[Project] = []
    paras = g.paragraphs()
    under_bare = False  # under an unnumbered heading line “项目支出” / “项目支出情况：”
    led = False  # among the item lines after a lead-in (“全年项目支出42万元，具体为：”)
    label_lines = 0  # lines of a 项目名称 block still to skip
    for k, para in enumerate(paras):
        if label_lines:
            label_lines -= 1
            continue
        led = led and _item_line(g.src, para)
        if _short_line(g.src, para):
            under_bare = _bare_heading(g.src, para)
        if not _may_hold_project(g.src, para):
            led = led or _leads_in(g.src, para)
            continue
        loc = locator_of(para.start)
        titles = _part_titles(g, sections, para.start) if sections is not None else []
        in_work = _about_work(titles)
        in_projects = (
            under_bare
            or led
            or _about_projects(titles)
            or _refers_to_heading(g.src, para, paras[k - 1] if k else None)
        )
        if (block := _label_block(g, paras, k, loc)) is not None:
            out.append(block[0])
            label_lines = block[1]
            continue
        above = paras[k - 1] if k else None
        headed = None if in_work and not in_projects else _under_its_heading(g, para, above, loc)
        if headed is not None:
            out.append(headed)
            continue
        # Numbered items first: “一是A项目支出…，主要用于…；二是…” is not one list.
        units = _line_units(g, para) or _units(g.src, para)
        # a lead-in before the first item opens them all (“…以下支出：一是…；二是…”)
        first_opened = _opened(g.src, para.start, units[0][0])
        found = [
            p
            for unit in units
            for p in _unit_projects(
                g,
                unit,
                loc,
                in_projects,
                first_opened or _opened(g.src, para.start, unit[0]),
                in_work,
            )
        ]
        found = [q for p in found if (q := _named_by_heading(g, p, above, loc)) is not None]
        listed = enumerations(g, para, loc, in_projects)
        # “培训经费12万元；宣传经费6万元” under a heading: a list, not one project
        as_list = (
            len(units) == 1
            and len(listed) > 1
            and not ITEM_MARKER.match(g.src, para.start, para.end)
        )
        out += listed if as_list or not found else found
        led = led or _leads_in(g.src, para)
    return _unique(out)


def _may_hold_project(text: str, para: Block) -> bool:
    """Whether a project may stand in ``para``: every reader below needs a sum of money,
    and every money unit (元, 万元, 亿元, 千元) holds 元, except a 项目名称 label block,
    whose sums stand on the lines below. Most paragraphs state none (four in five)."""
    return text.find("元", para.start, para.end) != -1 or bool(
        _NAME_LABEL.match(text, para.start, para.end)
    )


# --- headings and label blocks around a project -----------------------------------------------

# “该项目…” names no project: its name is the heading line above it.
_THIS_PROJECT = re.compile(
    r"^(?:(?:该|此|本|这个?|上述)(?:项目|专项|项|笔)?|项目)(?:资金|经费|总)?"
    r"(?:\d{4}年度?|当年|全年|本年度?|年度|今年|共|累计|已)?$"
)
_GENERIC_HEADING = re.compile(
    r"\s*(?:\d{4}\s*年度?)?(?:重点|主要|专项|其他|本年|年度|部门)?(?:项目|专项)(?:总)?"
    r"(?:支出|资金|经费)?(?:使用|执行|完成)?(?:情况|明细|安排)?\s*[:：]?\s*"
)
_AMOUNT = re.compile(r"\d\s*(?:万元|元|亿元|千元)")
_CLAUSE_MARK = re.compile(r"[。；;，,]")


def _short_line(text: str, para: Block) -> bool:
    """A line short enough to be a heading, with no sum and no sentence end in it."""
    line = text[para.start : para.end].strip()
    return 0 < len(line) <= 24 and not _AMOUNT.search(line) and not _CLAUSE_MARK.search(line)


def _refers_to_heading(text: str, para: Block, above: Block | None) -> bool:
    """“该项目支出40万元…” right under a short heading line: a project's paragraph."""
    return (
        above is not None
        and _short_line(text, above)
        and re.match(r"\s*(?:该|此|本|这个?)(?:项目|专项)", text[para.start : para.end]) is not None
    )


def _bare_heading(text: str, para: Block) -> bool:
    """An unnumbered heading about projects (“项目支出”, “重点项目支出情况：”), not about
    their performance (绩效, 指标)."""
    line = ITEM_MARKER.sub("", text[para.start : para.end].strip(), count=1)
    return bool(_BARE_HEADING.search(line)) and not re.search(
        r"绩效|指标|成效|效益|目标|管理|效果|产出|实施", line
    )


# Money words of a heading: “项目支出”, “专项资金”, “重点项目明细” — a line that only names
# projects (“项目管理情况”) opens no list.
_BARE_HEADING = re.compile(
    r"(?:项目|专项)(?:总)?(?:支出|经费|资金)|(?:重点|主要|部门|本年)项目(?:情况|明细|清单)?\s*[:：]?$"
)


# The end of a line that announces the items below it: “…如下：”, “…主要用于：”, “…有：”.
_SENTENCE_MARK = re.compile(r"[。!！?？]")
_LEAD_END = re.compile(r"(?:如下|以下|下列|[:：])\s*[:：]?\s*$")
_ITEM_LINE = re.compile(r"\s*[^，,。；;:：]{2,30}[:：]")


def _leads_in(text: str, para: Block) -> bool:
    """A line whose last sentence speaks of projects and ends by announcing a list
    (“全年安排项目3个，具体如下：”, “项目支出42万元，主要用于：”), not of their performance."""
    line = text[para.start : para.end].rstrip()
    last = _SENTENCE_MARK.split(line.rstrip("。"))[-1]
    return _LEAD_END.search(last) is not None and _about_spending(last)


# A lead-in about spending that names no project (“全年重点支出如下：”, “业务经费使用情况：”).
_SPENDING_LEAD = re.compile(r"支出|经费|资金")
# … about the accounts' own parts or their performance, not about projects
_NOT_PROJECT_LEAD = re.compile(
    r"绩效|指标|成效|效益|目标|产出|基本支出|人员|公用|三公|收入|来源|结转|结余|工资|商品和服务"
)


def _about_spending(words_: str) -> bool:
    """Whether a lead-in speaks of projects or of spending that is no part of the accounts."""
    return bool(
        (words().opens.search(words_) or _SPENDING_LEAD.search(words_))
        and not _NOT_PROJECT_LEAD.search(words_)
    )


def _item_line(text: str, para: Block) -> bool:
    """A line of a list: numbered, or “名称：金额”."""
    return bool(
        ITEM_MARKER.match(text, para.start, para.end)
        or _ITEM_LINE.match(text, para.start, para.end)
        or _LIST_LINE.fullmatch(text, para.start, para.end)
    )


def _named_by_heading(
    g: Grounder, project: Project, above: Block | None, loc: str
) -> Project | None:
    """A project named “该项目” takes the heading line above it (“（二）乡村医生补助”), or
    is dropped when there is none."""
    if not _THIS_PROJECT.match(str(project.name.value)):
        return project
    if above is None or not _short_line(g.src, above):
        return None
    title = ITEM_MARKER.sub("", g.src[above.start : above.end].strip(), count=1)
    if _GENERIC_HEADING.fullmatch(title):
        return None  # “（二）项目支出情况” names a part, not a project
    if str(project.name.value).startswith("项目") and not words().suffix.search(title):
        return None  # “项目支出…” under “（一）预算执行情况”: no project's name above
    name = project_name(g, above.start, above.end, loc)
    return project.model_copy(update={"name": name}) if name is not None else None


# A paragraph opening with nothing but a budget or a spending and its figure.
_FIGURES_FIRST = re.compile(
    r"\s*(?:\d{4}\s*年度?\s*[，,]?\s*|全年|本年度?|年初|当年)?(?:共|累计|实际)?"
    r"(?:预算|批复|下达|安排|支出|执行|使用|拨付)"
)


def _under_its_heading(g: Grounder, para: Block, above: Block | None, loc: str) -> Project | None:
    """“（一）禁毒宣传项目” on a line of its own, then “全年预算13万元，实际支出12.5万元。”: the
    figures are the project's the heading names."""
    if (
        above is None
        or not _short_line(g.src, above)
        or not _FIGURES_FIRST.match(g.src, para.start, para.end)
    ):
        return None
    if not ITEM_MARKER.match(g.src, above.start, above.end):
        return None
    title = ITEM_MARKER.sub("", g.src[above.start : above.end].strip(), count=1)
    if _GENERIC_HEADING.fullmatch(title) or not words().suffix.search(title):
        return None
    end = re.search(r"[。；;]|$", g.src[para.start : para.end])
    stop = para.start + (end.end() if end else para.end - para.start)
    amount, budget = _figures(g, para.start, stop, loc, bare=False)
    name = project_name(g, above.start, above.end, loc)
    if amount is None or name is None:
        return None
    return Project(name=name, amount=amount, budget=budget)


_NAME_LABEL = re.compile(r"\s*(?:项目名称|项目)\s*[:：]\s*")
_LABEL_LINE = re.compile(r"\s*([^，,。；;:：\d]{2,10})[:：]")


def _label_block(g: Grounder, paras: list[Block], k: int, loc: str) -> tuple[Project, int] | None:
    """“项目名称：干部培训经费” with its figures after it on the same line
    (“；项目金额：60万元”) or on the lines below (“预算金额：…”, “实际支出：…”) up to the
    next name or a line that is not a label; with the number of label lines read."""
    text, para = g.src, paras[k]
    label = _NAME_LABEL.match(text, para.start, para.end)
    if label is None:
        return None
    cut = re.compile(r"[；;，,。]|\s{2,}|\t").search(text, label.end(), para.end)
    name_end = cut.start() if cut else para.end
    if _AMOUNT.search(text, label.end(), name_end):
        return None
    fields = [
        (label.end(), para.end) for label in _SAME_LINE_LABEL.finditer(text, name_end, para.end)
    ]
    lines = 0
    for nxt in paras[k + 1 : k + 5]:
        if not _LABEL_LINE.match(text, nxt.start, nxt.end) or _NAME_LABEL.match(
            text, nxt.start, nxt.end
        ):
            break
        lines += 1
        fields.append((nxt.start, nxt.end))
    amount, budget = _labelled_figures(g, fields, loc)
    name = project_name(g, label.end(), name_end, loc)
    if amount is None or name is None:
        return None
    return Project(name=name, amount=amount, budget=budget), lines


_SAME_LINE_LABEL = re.compile(r"(?<=[；;，,。\s])\s*(?=[^，,。；;:：\d\s]{2,10}[:：])")


def _labelled_figures(
    g: Grounder, fields: list[tuple[int, int]], loc: str
) -> tuple[Value | None, Value | None]:
    """(spending, budget) of “标签：金额” fields: a budget word in the label makes it the
    budget, any other label (项目金额, 支出金额, 实际支出, 资金) the spending."""
    text = g.src
    amount = budget = None
    for start, end in fields:
        line = _LABEL_LINE.match(text, start, end)
        stop = re.compile(r"[；;，。]|,(?!\d)").search(text, line.end(), end) if line else None
        figures = money_quantities(text, line.end(1), stop.start() if stop else end) if line else []
        if not figures:
            continue
        value = g.quantity(figures[0][1], figures[0][0], loc)
        if words().budget.search(line.group(1)):
            budget = budget or value
        else:
            amount = amount or value
    return amount, budget


def _part_titles(g: Grounder, root: Section, at: int) -> list[str]:
    """The titles of the part holding ``at`` and of the parts around it, innermost first
    (looked up once per paragraph for both questions below)."""
    node = root.innermost(g.to_doc(at, at + 1)[0])
    return [node.title, *(s.title for s in node.ancestors())]


_WORK_WORDS = re.compile(r"工作|成效|成果|成绩|完成情况|开展|绩效|目标|产出|效益")
_MONEY_WORDS = re.compile(r"项目|支出|资金|经费|收支|预算")
_RESULT_WORDS = re.compile(r"绩效|指标|成效|效益")


def _about_work(titles: list[str]) -> bool:
    """Whether a part so titled is about the work done and its results (工作开展情况,
    主要成效, 绩效目标完成情况), not about money or projects."""
    return any(_WORK_WORDS.search(t) and not _MONEY_WORDS.search(t) for t in titles if t)


def _about_projects(titles: list[str]) -> bool:
    return any("项目" in t and not _RESULT_WORDS.search(t) for t in titles if t)


# --- one project per numbered paragraph -----------------------------------------------------


def _units(text: str, para: Block) -> list[tuple[int, int]]:
    """The numbered items of a paragraph (several may stand in one), its “A：预算…，支出…；
    B：…” clauses, else the paragraph."""
    return (
        numbered_runs(text, para.start, para.end)
        or _named_clauses(text, para)
        or [(para.start, para.end)]
    )


def _named_clauses(text: str, para: Block) -> list[tuple[int, int]]:
    """“A经费：年初预算…，全年支出…；B工程：…” in one paragraph: the ；-separated clauses when
    two or more each name a project with its budget and its spending."""
    spans, at = [], para.start
    for m in re.finditer(r"[；;]", text[para.start : para.end]):
        spans.append((at, para.start + m.end()))
        at = para.start + m.end()
    if text[at : para.end].strip():
        spans.append((at, para.end))
    named = [s for s in spans if _named_with_both(text, *s)]
    return spans if len(named) >= 2 and len(named) == len(spans) else []


# A line of a list with no sentence marks: a name, then its sum (and a bracketed restatement)
# closing the line: “免疫规划项目：3540700.00元（354.07万元）”, “A经费  预算12万元  支出11万元”.
# A list line holds one item: its name, then one sum at its end (a wrapped sentence listing
# several, “…用于A 120.39 万元、B 92.44 万元” / “和C 390.54 万元。”, is no list of lines).
_LIST_LINE = re.compile(
    r"\s*(?!和|及|与|以及|并|、)[^，,。；;:：\d\s]{2,30}(?:(?!元)[^，,。；;、])*?\d[\d,.]*\s*(?:万元|元|亿元)"
    r"(?:\s*[(（][^()（）]{0,20}[)）])?\s*[；;。]?\s*"
)


def _line_units(g: Grounder, para: Block) -> list[tuple[int, int]]:
    """The lines of a paragraph when two or more open it as list lines (see ``_LIST_LINE``):
    lines with no sentence end that the prose view joined as a wrapped paragraph."""
    starts = _wrapped_line_starts(g, para)
    if len(starts) < 2:
        return []
    spans = list(zip(starts, [*starts[1:], para.end], strict=True))
    n = 0
    while n < len(spans) and _LIST_LINE.fullmatch(g.src, *spans[n]):
        n += 1
    if n < 2:
        return []
    # what follows the list (a table's title joined on) is a unit of its own
    return spans[:n] + ([(spans[n][0], para.end)] if n < len(spans) else [])


def _wrapped_line_starts(g: Grounder, para: Block) -> list[int]:
    """The paragraph's start and each view offset ``i`` whose character came from a line
    after the one of ``i - 1`` (a line break of the document stands between them). Found
    from the document's line breaks by bisection over the view's offsets (rising within a
    paragraph), not by mapping every character of the paragraph back."""
    doc = g.doc.text
    offsets = g.view.offsets if g.view is not None else None
    rising = offsets is not None and all(
        map(operator.lt, offsets[para.start : para.end - 1], offsets[para.start + 1 : para.end])
    )
    if offsets is None or not rising:
        return [para.start] + [
            i
            for i in range(para.start + 1, para.end)
            if "\n" in doc[g.to_doc(i - 1, i)[0] : g.to_doc(i, i + 1)[0]]
        ]
    starts = [para.start]
    # a break at p lies between i - 1 and i where offsets[i - 1] <= p < offsets[i]
    p = doc.find("\n", offsets[para.start], offsets[para.end - 1])
    while p != -1:
        i = bisect.bisect_right(offsets, p, para.start, para.end)
        if para.start < i < para.end and i != starts[-1]:
            starts.append(i)
        p = doc.find("\n", p + 1, offsets[para.end - 1])
    return starts


def _opened(text: str, para_start: int, at: int) -> bool:
    """Whether words opening a project list stand in the paragraph before ``at``, or a
    lead-in about spending ends right before it (“全年重点保障了以下支出：一是…”)."""
    if at <= para_start:
        return False
    if words().opens.search(text, para_start, at) is not None:
        return True
    lead = text[para_start:at].rstrip()
    return bool(lead.endswith(("：", ":")) and _about_spending(lead))


def _unit_projects(
    g: Grounder,
    unit: tuple[int, int],
    loc: str,
    in_projects: bool,
    opened: bool,
    in_work: bool = False,
) -> list[Project]:
    """The projects of one numbered item or paragraph: money-first clauses (“安排…万元用于
    A项目”) where they stand, else the one name-first project. In a part about the work
    done (工作开展情况) a money-first clause is a project's only under words about projects:
    “投入资金30万元实施道路维修工程，修复道路12公里” there is an achievement."""
    w = words()

    def accept(name: str) -> bool:
        named = w.suffix.search(name) is not None and not in_work
        is_project = in_projects or opened or named
        return is_project and not w.not_project.search(name) and name_ok(name)

    funded = funded_projects(g, unit, loc, accept)
    if funded:
        return funded
    if in_work and not (in_projects or opened):
        return []  # “（一）某某工程。全年投入资金85万元，新建…” there: a result
    p = _project_unit(g, unit, loc, in_projects, opened)
    return [p] if p is not None else []


def _project_unit(
    g: Grounder, unit: tuple[int, int], loc: str, in_projects: bool, opened: bool
) -> Project | None:
    """“1.A项目：年初预算…，实际支出…”, “（二）B经费。该项目全年支出…”, “一是C项目支出…万元”."""
    (start, end), text, w = unit, g.src, words()
    marker = lead_marker(text, start, end)
    if marker is None and not in_projects and not _named_with_both(text, start, end):
        return None
    body = marker.end() if marker else start
    # The name ends at a clause mark, a budget/spending word or the sum itself.
    stop = _said().name_cut.search(text, body, min(end, body + 48))
    if stop is None or stop.start() - body < 2:
        return None
    name_end = stop.start()
    if ends_in_change(text, body, name_end):
        return None  # “办公设备购置支出增加12万元”: a change, not a project's spending
    # “3.发放补助资金573.86万元” in a list of results: a sum right after a name is a
    # project's only where projects are listed.
    amount, budget = _figures(g, stop.start(), end, loc, bare=in_projects or opened)
    if amount is None:
        return None  # a budget alone is not a project's spending
    # A name without a project's ending counts in a part about projects, or with both
    # its budget and its spending stated (“（3）林业资源调查：预算…，实际支出…”).
    if not (in_projects or opened or budget is not None or w.suffix.search(text, body, name_end)):
        return None
    name = project_name(g, body, name_end, loc)
    if name is None and _THIS_PROJECT.match(re.sub(r"\s+", "", text[body:name_end])):
        name = g.text(body, name_end, loc)  # “该项目…”: named by its heading later
    if name is None:
        return None
    return Project(name=name, amount=amount, budget=budget)


def _named_with_both(text: str, start: int, end: int) -> bool:
    """“A经费：年初预算180万元，全年支出176.42万元；” on a line of its own: a name with a
    project's ending before a colon, then a budget and a spending word with their sums."""
    w = words()
    m = re.match(r"\s*([^，,。；;:：\d]{2,30})[:：]", text[start:end])
    if m is None or not w.suffix.search(m.group(1).strip()):
        return False
    rest = text[start + m.end() : end]
    return bool(_said().budget_sum.search(rest) and _said().spend_sum.search(rest))


def _figures(
    g: Grounder, start: int, end: int, loc: str, bare: bool = True
) -> tuple[Value | None, Value | None]:
    """(spending, budget) of a project's paragraph: each the first sum right after its word.
    A lone figure after “：” with no word is the spending; so is one right after the name
    when ``bare``."""
    text, w = g.src, _said()
    amount = budget = None
    first = money_quantities(text, start, end)
    for offset, q in first:
        at = offset + q.start
        before = text[max(start, at - 16) : at]
        said = w.filler_end.sub("", before)
        if w.budget_end.search(said):
            budget = budget or g.quantity(q, offset, loc)
        elif (
            w.spend_end.search(said)
            or (bare and not said.strip(" \t，,"))  # “（1）A经费，12.5万元”
            or said.endswith(("：", ":"))
        ):
            amount = amount or g.quantity(q, offset, loc)
        if amount is not None and budget is not None:
            break
    return amount, budget


@dataclass(frozen=True)
class _Said:
    """The projects lexicon's budget and spending words in the patterns read around a
    sum, compiled once (not formatted and looked up again for every figure)."""

    filler_end: re.Pattern[str]  # filler words closing the text before a sum
    budget_end: re.Pattern[str]  # a budget word closing it
    spend_end: re.Pattern[str]  # a spending word closing it
    budget_sum: re.Pattern[str]  # a budget word, then its sum
    spend_sum: re.Pattern[str]  # a spending word, then its sum
    name_cut: re.Pattern[str]  # where a project's name ends (``_project_unit``)


@cache
def _said() -> _Said:
    w = words()
    money = r"\s*[\d,.]+\s*(?:万元|元|亿元)"
    return _Said(
        filler_end=re.compile(rf"{FILLER}$"),
        budget_end=re.compile(rf"(?:{w.budget.pattern})$"),
        spend_end=re.compile(rf"(?:{w.spend.pattern})$"),
        budget_sum=re.compile(rf"(?:{w.budget.pattern}){FILLER}{money}"),
        spend_sum=re.compile(rf"(?:{w.spend.pattern}){FILLER}{money}"),
        name_cut=re.compile(
            rf"[:：。，,；;]|(?:{w.verbs.pattern}){FILLER}\d|\s*\d[\d,.]*\s*(?:万元|元|亿元)"
        ),
    )


def _unique(projects: list[Project]) -> list[Project]:
    seen: set[tuple[str, object]] = set()
    out = []
    for p in projects:
        key = (str(p.name.value), p.amount.value if p.amount else None)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
