"""What a project's name is in the prose: the projects lexicon's words compiled once, and
the name over a span without the list words around it (其中, 主要用于, 该项目, 资金使用情况).

Owns: the name's edges and what is never a project's name (基本支出 items, income, 三公,
totals, a money verb alone). projects.py and project_lists.py read names through it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from service.extract.enumerate import lead_marker
from service.extract.ground import Grounder
from service.extract.lexicon import lexicon
from service.records import Value
from service.records.numbers import find_quantities

_NAME_LEAD = re.compile(
    r"(?:[和及与、，,；;)）]|以及|另有|还有|其中|主要|分别|包括|用于|支付|"
    r"[:：\s])+"
)
NAME_TAIL = re.compile(
    r"(?:[:：\s(（【\[]|(?:该|此|本)(?:项目|专项)|共计|合计|总计|共|计|为|是|达|约|了|数|金额"
    # “（一）乡村振兴项目资金使用情况。该项目…”: a heading's 情况 is no part of the name
    r"|(?<=[项目程费金助贴设置造修护作划动])(?:资金|经费)?(?:使用|执行|实施|管理|完成|建设)?情况)+$"
)
# The time and the money verb a clause may open with before the name.
_SAID_BEFORE = re.compile(
    r"\s*(?:(?:\d{4}\s*年度?|本年度?|全年|今年|当年|年度内?|年内)\s*[，,]?\s*)?"
    r"(?:共|累计|实际|已)?(?:完成|安排|支付|投入|拨付|用于|下达|使用|实施|开展|推进|落实)?\s*"
    r"(?=[\u4e00-\u9fff“\"])"
)
_VERB_AFTER = re.compile(r"(?:使用|执行|拨付|兑付|开支|花费|用款)\s*$")
_QUOTED = re.compile(r"\s*[“\"‘'「][^“”\"]{2,40}[”\"’'」]\s*")
FILLER = r"(?:数|金额|资金|了|为|是|共|计|共计|合计|达|约|\s|[:：])*"


@dataclass(frozen=True)
class Words:
    """The projects lexicon as compiled patterns."""

    suffix: re.Pattern[str]  # what a project's name ends with
    opens: re.Pattern[str]  # words that open a list of projects
    not_project: re.Pattern[str]
    spend: re.Pattern[str]
    budget: re.Pattern[str]
    verbs: re.Pattern[str]  # spend or budget


@cache
def words() -> Words:
    lex = lexicon()
    name = lex.field("projects[].name")
    spend = lex.field("projects[].amount").label_pattern()
    budget = lex.field("projects[].budget").label_pattern()
    return Words(
        suffix=re.compile(f"{name.label_pattern()}(?:支出)?$"),
        opens=re.compile(name.header_pattern()),
        not_project=re.compile(name.excludes_pattern()),
        spend=re.compile(spend),
        budget=re.compile(budget),
        verbs=re.compile(f"{budget}|{spend}"),
    )


def project_name(g: Grounder, start: int, end: int, loc: str) -> Value | None:
    """The project's name over [start, end) without list words around it, or None when what
    is left is not a project (基本支出 items, income, 三公, totals) or is a whole clause."""
    text = g.src
    lead = lead_marker(text, start, end)
    if lead:
        start = lead.end()
    m = _NAME_LEAD.match(text, start, end)
    if m:
        start = m.end()
    # “全年安排A经费…”, “2023年度B补助支出…”: the time and the verb before it name nothing
    said = _SAID_BEFORE.match(text, start, end)
    if said and len(text[said.end() : end].strip()) >= 2:
        start = said.end()
    if (unclosed := re.search(r"[(（【\[][^)）】\]]*$", text[start:end])) and unclosed.start():
        end = start + unclosed.start()  # “堤防加固（支出350万元）”: the name stops at the bracket
    tail = NAME_TAIL.search(text, start, end)
    if tail and tail.start() > start:
        end = tail.start()
    if (verb := _VERB_AFTER.search(text, start, end)) and verb.start() - start >= 2:
        end = verb.start()  # “A经费使用12.5万元”: the verb is no part of the name
    if _QUOTED.fullmatch(text, start, end):
        start, end = start + 1, end - 1  # “A经费”: the quotes are no part of it
    name = re.sub(r"\s+", "", text[start:end])
    if not 2 <= len(name) <= 40 or words().not_project.search(name) or not name_ok(name):
        return None
    return g.text(start, end, loc)


# A money verb alone (“一是投入35万元…”) names nothing.
_VERB_ONLY = re.compile(r"(?:安排|投入|使用|支出|拨付|下达|落实|列支|花费|支付|共|累计)+(?:了)?")


def name_ok(name: str) -> bool:
    """Not a figure (a clause is a sentence, not a name) nor a money verb alone."""
    return not find_quantities(name) and not _VERB_ONLY.fullmatch(name)
