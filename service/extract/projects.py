"""Projects (项目支出) stated in the prose: enumerations after “项目支出…其中：” and one
project per numbered paragraph. Tables' projects come from tables.py; rules.merge_projects
joins the two.

Owns: where a project list starts and what a project item is. Must not read tables.
"""

from __future__ import annotations

import re

from service.extract.enumerate import inline_items
from service.extract.ground import Grounder
from service.extract.text import Block
from service.records import Project
from service.records.numbers import parse_quantity

# “（1）耕地地力保护补贴：全年支出754800元。” — one project per numbered paragraph.
_PROJECT_PARA = re.compile(
    r"\s*[(（]\d{1,2}[)）]\s*(?P<name>[^：:，,。；;\n]{2,40}?)\s*[:：]\s*"
    r"(?:全年|本年|年度)?(?:实际)?(?:支出|执行|决算|使用)(?:数|资金|金额)?\s*(?:为|了)?\s*"
    r"(?P<amt>\d[\d,]*(?:\.\d+)?\s*(?:万元|亿元|千元|元))"
)

_MONEY_AFTER = re.compile(
    r"(?:\s|为|是|达到|达|了|共计|合计|总计|共|实际完成|完成|实际|支出|决算数?|金额|数|:|：|约)*?"
    r"(?P<q>[-−]?\d[\d,]*(?:\.\d+)?\s*(?:万元|亿元|千元|元|万)(?!人|个|件|次))"
)


def prose_projects(g: Grounder, locator_of) -> list[Project]:  # noqa: ANN001
    """Every project stated in the prose. ``locator_of(offset)`` names the section."""
    out: list[Project] = []
    for para in g.paragraphs():
        loc = locator_of(para.start)
        out += _enumeration(g, para, loc)
        if (p := _project_paragraph(g, para, loc)) is not None:
            out.append(p)
    return out


def _enumeration(g: Grounder, para: Block, loc: str) -> list[Project]:
    text = g.src
    out: list[Project] = []
    for m in re.finditer(r"项目(?:总)?支出", text[para.start : para.end]):
        start = para.start + m.end()
        if not _MONEY_AFTER.match(text, start, min(para.end, start + 40)):
            continue
        intro = re.compile(r"其中|具体情况为|具体如下|明细如下|主要包括").search(
            text, start, para.end
        )
        if not intro:
            continue
        for item in inline_items(g, intro.end(), para.end, loc):
            if item.head or item.value is None:
                continue
            out.append(Project(name=item.name, amount=item.value))
        break
    return out


def _project_paragraph(g: Grounder, para: Block, loc: str) -> Project | None:
    m = _PROJECT_PARA.match(g.src, para.start, para.end)
    if not m:
        return None
    name = g.text(m.start("name"), m.end("name"), loc)
    q = parse_quantity(m.group("amt"))
    amount = g.quantity(q, m.start("amt"), loc) if q else None
    if name is None or amount is None:
        return None
    return Project(name=name, amount=amount)
