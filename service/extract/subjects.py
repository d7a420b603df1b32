"""Whose figure a prose statement is: the subject a sentence or a numbered paragraph opens
with (“（一）某某项目。全年预算…，实际支出…”, “某某服务项目，全年支出…”, “三公经费预算…，
实际支出…”) or the words before a label in its clause (某某专项资金全年支出…). Such a
statement's bare spending labels are that subject's, not the department's accounts.

Owns: recognising another subject than the accounts. prose.py decides what to do with it.
"""

from __future__ import annotations

import re
from functools import cache

from service.extract.clauses import words
from service.extract.lexicon import lexicon
from service.extract.text import Block


@cache
def _heading() -> re.Pattern[str]:
    return re.compile(
        rf"\s*(?:20\d\d\s*年度?|本年度?|全年|今年)?(?:{words('lead_heading').pattern})"
        r"\s*(?:[:：]|(?:主要)?(?:为|是|有|包括))"
    )


def other_subject(lead: str) -> bool:
    """Whether the clause before a label names a project, fund or programme the figure
    belongs to (某某专项资金全年支出…)."""
    # “资金来源：财政拨款…”, “2023年经费情况：…”: a heading before a colon names no subject
    heading = _heading().match(lead)
    return bool(words("other_subject").search(lead[heading.end() if heading else 0 :]))


_ITEM_LEAD = re.compile(
    r"\s*(?:[(（]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]|\d{1,2}\s*[、.．](?!\d)|[一二三四五六七八九十]{1,3}\s*[、.．])?\s*"
)
_THREE_PUBLIC_ITEM = re.compile(r"三公|因公出国|公务接待|公务用车|出国[(（]境[)）]")


# The title of a part about the department as a whole (部门整体支出绩效情况, 预算执行情况,
# 绩效目标完成情况): run on into its text before a colon (“四、部门整体支出绩效情况：全年
# 人员经费支出…”) it heads the part, it names no other subject.
_PART_TITLE = re.compile(
    r"(?:20\d\d\s*年度?)?(?:本?部门|本?单位)?(?:整体|总体)?(?:支出|收支|预算|财务|资金)?"
    r"(?:绩效|执行|管理|使用)?(?:目标|评价|自评)?(?:完成|实现|开展)?(?:情况|概况|分析)"
)


def part_title(head: str) -> bool:
    """Whether the words before a colon are the title of a part about the accounts."""
    return len(head) >= 4 and _PART_TITLE.fullmatch(head) is not None


# Words of a heading about the department's own accounts (“（一）支出情况。”), not a subject.
_ACCOUNTS_WORDS = re.compile(
    r"收入|支出|收支|预算|决算|结余|结转|执行|情况|概况|基本|整体|部门|单位|绩效|指标"
)


@cache
def _subject_ending() -> re.Pattern[str]:
    """A name ending as a project's or a fund's does (某某项目, 某某专项资金, 某某改造)."""
    ending = (
        f"{words('other_subject').pattern}|{lexicon().field('projects[].name').label_pattern()}"
    )
    return re.compile(f"(?:{ending})$")


_FIRST_SENTENCE = re.compile(r"[^。；;\n]*[。；;]")
_FIGURE_OR_COMMA = re.compile(r"[\d，,]")
_CLAUSE_BREAK = re.compile(r"[，,；;]")
_DIGIT = re.compile(r"\d")


def named_paragraph(text: str, para: Block) -> int | None:
    """Where the rest of a paragraph starts when its first sentence is nothing but an item
    marker and a bare name (“（一）某某项目。”, “（二）某某建设配套。”) that is not a heading
    of the accounts; else None."""
    first = _FIRST_SENTENCE.match(text, para.start, para.end)
    if first is None:
        return None
    lead = _ITEM_LEAD.match(first.group(0))
    name = first.group(0)[lead.end() if lead else 0 : -1].strip()
    if (
        not lead
        or not lead.group(0).strip()
        or not 2 <= len(name) <= 30
        or _FIGURE_OR_COMMA.search(name)
    ):
        return None
    if _subject_ending().search(name) is None and (
        words("lead_heading").fullmatch(name) or _ACCOUNTS_WORDS.search(name)
    ):
        return None  # “（一）支出情况。”: a heading of the accounts, no other subject
    return first.end()


def sentence_subject(text: str, start: int, clause_start: int) -> bool:
    """Whether the sentence's first clause, before the label's own clause, makes another
    subject its topic: a bare name with a project's or fund's ending (“（一）某某服务项目，
    全年支出…”) or a 三公 item (“三公经费预算4.5万元，实际支出3.98万元”). Such a sentence's
    bare spending labels are that subject's, not the accounts'."""
    if clause_start <= start:
        return False
    lead = _ITEM_LEAD.match(text, start, clause_start)
    first = text[lead.end() if lead else start : clause_start]
    first = _CLAUSE_BREAK.split(first, maxsplit=1)[0].strip()
    if _THREE_PUBLIC_ITEM.search(first):
        return True
    return (
        2 <= len(first) <= 30
        and _subject_ending().search(first) is not None
        and not _DIGIT.search(first)
    )
