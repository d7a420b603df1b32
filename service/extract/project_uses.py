"""Projects named after their money (“安排12.6万元用于老年人健康体检项目”, “一是投入35万元实施
农村饮水安全巩固工程”, “使用资金8万元开展水土保持监测”): the sum comes first, then the verb
that says what it paid for, then the project's name.

Owns: reading that one clause shape. projects.py decides where it is tried (where no
name-first project stands) and whether a name without a project's ending counts.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from service.extract.enumerate import ITEM_MARKER
from service.extract.ground import Grounder
from service.records import Project, Value
from service.records.numbers import find_quantities

# Words a clause may open with before the money verb: time, the subject, 共/累计.
_OPENING = (
    r"(?:(?:\d{4}\s*年度?|全年|本年度?|年度|今年|当年|年内|我局|我单位|本单位|本部门|单位|部门)"
    r"(?:共|累计|实际|已)?|共|累计|实际|已|先后|另)*"
)
_VERB = r"(?:安排|投入|使用|支出|拨付|下达|落实|列支|花费|支付)(?:了)?(?:专项)?(?:资金|经费|预算)?"
_MONEY = r"(?P<money>\d[\d,，.\s]*\s*(?:万元|亿元|千元|元))"
_PURPOSE = r"(?:主要|全部|专项|分别)?(?:用于|实施|开展|完成|建设|购置|支付|保障|推进)(?:了)?"
_USE = re.compile(
    rf"{_OPENING}\s*{_VERB}\s*{_MONEY}\s*(?:[(（][^()（）]{{0,20}}[)）])?\s*[，,]?\s*{_PURPOSE}\s*(?P<name>[\u4e00-\u9fff“\"][^，,；;。、:：\n]{{1,39}})"
)
# The spending that follows, in a clause of its own.
_SPENT = re.compile(
    rf"\s*(?:实际|全年|累计|当年|本年)?(?:已)?(?:支出|使用|执行|拨付|完成|决算)(?:资金|金额|数)?"
    rf"\s*[:：]?\s*{_MONEY}"
)
# The end of a clause's name that is no part of it (“…等工作”, “…的支出”).
_NAME_END = re.compile(r"(?:等|等方面|等工作|的支出|支出|方面|工作)+$")


def funded_projects(
    g: Grounder,
    span: tuple[int, int],
    loc: str,
    accept: Callable[[str], bool],
) -> list[Project]:
    """Every “安排X万元用于Y” clause in ``span`` that opens its clause; ``accept(name)`` says
    whether Y is a project (its ending, or a part about projects)."""
    start, end = span
    text = g.src
    out: list[Project] = []
    for clause_start, clause_end in _clauses(text, start, end):
        lead = ITEM_MARKER.match(text, clause_start, clause_end)
        at = lead.end() if lead else clause_start
        m = _USE.match(text, at, clause_end)
        if m is None:
            if out and (spent := _SPENT.match(text, clause_start, clause_end)) is not None:
                out[-1] = _with_spending(g, out[-1], spent, loc)
            continue
        project = _project(g, m, loc, accept)
        if project is not None:
            out.append(project)
    return out


def _with_spending(g: Grounder, project: Project, spent: re.Match[str], loc: str) -> Project:
    """“安排20万元用于A项目，实际支出18.5万元”: the first sum was the budget."""
    if project.budget is not None:
        return project
    found = find_quantities(spent.group("money"))
    if len(found) != 1 or found[0].value is None:
        return project
    amount = g.quantity(found[0], spent.start("money"), loc)
    return project.model_copy(update={"budget": project.amount, "amount": amount})


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, at = [], start
    for m in re.finditer(r"[，,；;。\n]", text[start:end]):
        stop = start + m.start()
        if text[at:stop].strip():
            out.append((at + len(text[at:stop]) - len(text[at:stop].lstrip()), stop))
        at = start + m.end()
    if text[at:end].strip():
        out.append((at + len(text[at:end]) - len(text[at:end].lstrip()), end))
    return out


def _project(
    g: Grounder, m: re.Match[str], loc: str, accept: Callable[[str], bool]
) -> Project | None:
    found = find_quantities(m.group("money"))
    if len(found) != 1 or found[0].value is None or found[0].direction:
        return None
    name_start, name_end = m.span("name")
    if tail := _NAME_END.search(g.src, name_start, name_end):
        name_end = tail.start() if tail.start() > name_start else name_end
    name = re.sub(r"\s+", "", g.src[name_start:name_end])
    if len(name) < 2 or not accept(name):
        return None
    amount: Value = g.quantity(found[0], m.start("money"), loc)
    return Project(name=g.text(name_start, name_end, loc), amount=amount)
