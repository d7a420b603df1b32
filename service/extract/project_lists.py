"""Projects listed in one sentence after the words that open a list: “项目支出主要用于：A专项
12.60万元、B补助4.05万元”, “其中…”, “包括…”, “A、B分别为…”, clause lists (“A经费，支出65万
元；B专项，全年支出48万元”) and a budget beside the spending.

Owns: where such a list's items start and end. projects.py decides where lists stand.
"""

from __future__ import annotations

import re

from service.extract.enumerate import NamedAmount, money_quantities, named_amounts
from service.extract.ground import Grounder
from service.extract.project_names import FILLER, NAME_TAIL, project_name, words
from service.extract.text import Block
from service.records import Project, Value

# What introduces the items of a list after the words that open it.
_INTRO = re.compile(
    r"其中\s*[:：，,]?|具体(?:情况)?(?:为|如下|是)\s*[:：]?|明细如下\s*[:：]?|"
    r"(?:主要|分别)?(?:用于|包括|包含|是|为|有)\s*[:：]|主要(?:用于|包括|是|有)|包括|分别用于|"
    r"(?:情况|明细)\s*[:：]|"
    # “项目支出45万元，为A…、B…” / “…，实施A…” / “项目支出情况中：A…” / “项目支出：A…”
    r"[，,]\s*(?:主要|具体|分别|全部|均)?(?:为|是|实施了?|安排了?|用于|投入)|(?<=元)\s*(?:主要|全部)?用于|"
    # “项目支出32万元（A资金20万元、B资金12万元）”: the parts in brackets after the sum
    # (not a bracket holding the item's own budget: “A118.5万元（预算120万元）；…”)
    r"(?<=元)\s*[(（](?!\s*(?:年初|全年|调整后?)?(?:预算|决算|上年|实际|支出))(?:其中|包括|含)?\s*[:：]?|"
    # “…，涉及A、B两个项目，分别支出…”
    r"[，,]\s*(?:共|主要)?涉及|(?<=项目)(?:主要)?有|"
    r"中\s*[:：，,]|[:：]"
)
_RESPECTIVELY = re.compile(r"分别(?:为|是|支出|使用|安排)?\s*[:：]?")


def enumerations(g: Grounder, para: Block, loc: str, in_projects: bool) -> list[Project]:
    """Projects listed in one sentence after the words that open a project list."""
    text, w = g.src, words()
    out: list[Project] = []
    before = False  # a sentence before opened a list (“本年项目支出100万元。其中：A…”)
    for sent_start, sent_end in _sentences(text, para.start, para.end):
        opened = w.opens.search(text, sent_start, sent_end)
        go_on = _GOES_ON.match(text, sent_start, sent_end) if before else None
        # “全年项目支出32.5万元。A经费12.5万元，B补助20万元。”: the sentences after one about
        # projects go on about them
        going_on = before and opened is None
        in_projects = in_projects or going_on
        before = before or opened is not None
        if go_on:  # the list of the sentence before, its first item right after 其中：
            out += _respectively(g, go_on.end(), sent_end, loc) or _listed(
                g, go_on.end(), sent_end, loc
            )
            continue
        if opened is None and not in_projects:
            out += _clause_list(g, sent_start, sent_end, loc)
            continue
        intro = _INTRO.search(text, opened.end() if opened else sent_start, sent_end)
        if opened is None and in_projects and intro is not None:
            # “A经费12.5万元，主要用于…；B补助20万元…”, “安排A…万元，安排B…万元”: under a
            # heading about projects a sentence naming two items is the list itself
            whole = _listed(g, sent_start, sent_end, loc)
            if len(whole) > 1:
                out += whole
                continue
        if intro is None and in_projects and (sent_start == para.start or going_on):
            # a bare list under a heading about projects: only a list of two or more
            items = _listed(g, sent_start, sent_end, loc)
            out += items if len(items) > 1 else []
            continue
        if intro is None:
            out += _clause_list(g, sent_start, sent_end, loc)
            continue
        out += _respectively(g, intro.end(), sent_end, loc) or _listed(
            g, intro.end(), sent_end, loc
        )
    return out


# A sentence going on with the list its sentence before opened: “。其中：A…”, “。具体为：A…”.
_GOES_ON = re.compile(
    r"\s*(?:其中|具体(?:情况)?(?:为|如下|是)|明细如下|主要(?:用于|包括|是))\s*[:：，,]\s*"
)


def _clause_list(g: Grounder, start: int, end: int, loc: str) -> list[Project]:
    """“A经费，支出65万元；B专项，全年支出48万元。” with no words opening a list: two or
    more clauses, each nothing but a name with a project's ending and its spending."""
    text, w = g.src, words()
    clauses = [c for c in re.split(r"[；;]", text[start:end].rstrip("。. \n")) if c.strip()]
    if len(clauses) < 2:
        return []
    out: list[Project] = []
    at = start
    for clause in clauses:
        at = text.index(clause, at)
        figures = money_quantities(text, at, at + len(clause))
        if len(figures) != 1:
            return []
        offset, q = figures[0]
        head = re.sub(rf"(?:{w.spend.pattern}){FILLER}$", "", text[at : offset + q.start])
        head = head.rstrip("，, \t")
        if head == text[at : offset + q.start].rstrip("，, \t") or not w.suffix.search(head):
            return []  # no spending word between name and sum, or no project's ending
        if text[offset + q.end : at + len(clause)].strip():
            return []  # more than a name and its sum
        name = project_name(g, at, at + len(head), loc)
        if name is None:
            return []
        out.append(Project(name=name, amount=g.quantity(q, offset, loc)))
        at += len(clause)
    return out


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, s = [], start
    for m in re.finditer(r"[。!！?？]", text[start:end]):
        out.append((s, start + m.end()))
        s = start + m.end()
    if text[s:end].strip():
        out.append((s, end))
    return out


def _listed(g: Grounder, start: int, end: int, loc: str) -> list[Project]:
    """“A专项12.60万元、B补助4.05万元和C经费3万元” (a budget beside the spending joins it)."""
    w = words()
    out: list[Project] = []
    for item in named_amounts(g.src, start, end, w.verbs):
        is_budget = bool(w.budget.fullmatch(item.word or "-"))
        before_word = is_budget or item.name_end < _verb_at(g.src, item)
        name_end = item.name_end if before_word else None
        bare_verb = item.word and not g.src[item.name_start : item.name_end].strip()
        name = (
            None
            if bare_verb
            else project_name(g, item.name_start, name_end or _tail_end(g.src, item), loc)
        )
        value = g.quantity(item.money, item.offset, loc)
        if name is None:
            # “…预算12万元，实际支出11.5万元”: the spending of the item before
            last = out[-1] if out else None
            if last is not None and item.word and w.spend.fullmatch(item.word):
                if last.amount is None:  # “A项目预算12万元，实际支出11.5万元”
                    out[-1] = last.model_copy(update={"amount": value})
                elif last.budget is None:  # “A项目12万元，实际支出11.5万元”
                    out[-1] = last.model_copy(update={"budget": last.amount, "amount": value})
            continue
        if is_budget:
            out.append(Project(name=name, budget=value))
        else:
            out.append(Project(name=name, amount=value, budget=_budget_beside(g, item, loc)))
    return [p for p in out if p.amount is not None]


_BUDGET_BESIDE = re.compile(
    r"\s*[(（]\s*(?:年初|全年|调整后?)?预算(?:数|金额)?\s*(?:为|是|:|：)?\s*(?=\d)"
)


def _budget_beside(g: Grounder, item: NamedAmount, loc: str) -> Value | None:
    """The budget in brackets right after an item's spending (“A118.5万元（预算120万元）”)."""
    m = _BUDGET_BESIDE.match(g.src, item.offset + item.money.end)
    if m is None:
        return None
    figures = money_quantities(g.src, m.end(), min(len(g.src), m.end() + 20))
    if not figures or figures[0][0] + figures[0][1].start != m.end():
        return None
    return g.quantity(figures[0][1], figures[0][0], loc)


def _verb_at(text: str, item: NamedAmount) -> int:
    """Where the word before the item's sum starts (the sum's start when none)."""
    at = item.offset + item.money.start
    return text.rfind(item.word, item.name_start, at) if item.word else at


def _tail_end(text: str, item: NamedAmount) -> int:
    """The name of a listed item keeps its spending word (“A工作经费支出9.01万元”)."""
    end = item.offset + item.money.start
    m = NAME_TAIL.search(text, item.name_start, end)
    return m.start() if m else end


def _respectively(g: Grounder, start: int, end: int, loc: str) -> list[Project]:
    """“A、B、C（三个项目）分别为12万元、4万元、3万元”: names first, amounts after."""
    text = g.src
    resp = _RESPECTIVELY.search(text, start, end)
    if resp is None:
        return []
    names = _respective_names(text, start, resp.start())
    amounts = money_quantities(text, resp.end(), end)
    if len(names) < 2 or len(names) != len(amounts):
        return []
    out = []
    for (ns, ne), (offset, q) in zip(names, amounts, strict=True):
        tail = re.search(r"(?:等)?(?:[\d一二两三四五六七八九十几]+个)?(?:项目)?$", text[ns:ne])
        name = project_name(g, ns, ns + tail.start() if tail and tail.start() else ne, loc)
        if name is not None:
            out.append(Project(name=name, amount=g.quantity(q, offset, loc)))
    return out


_ITS_FIGURE = re.compile(
    r"[，,]\s*(?:其)?(?:实际|全年|预算)?(?:支出|金额|资金|经费|使用|执行)?(?:数|额)?\s*$"
)
_NAMES_LEAD = re.compile(r"[^，,]*?(?:分别为|分别是|包括|为|是|有)\s*[:：]?")


def _respective_names(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The names before “分别为”: “A、B、C分别为…”, or the clause before a figure's word
    (“项目两个，分别为A和B，支出分别为…”)."""
    if (its := _ITS_FIGURE.search(text, start, end)) is not None:
        end = its.start()
        clause = text.rfind("，", start, end) + 1 or text.rfind(",", start, end) + 1
        start = max(start, clause)
        if (lead := _NAMES_LEAD.match(text, start, end)) is not None:
            start = lead.end()
    return [
        (start + m.start(), start + m.end())
        for m in re.finditer(r"[^、，,和及与]+", text[start:end])
    ]
