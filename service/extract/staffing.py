"""Staffing (人员情况): 编制数, 在职人数, 退休人数 stated in the prose.

Owns the headcount readers: a label from the lexicon (staffing.toml) and the count a few
words after it (“核定编制52名”, “实有人数：48人”, “在职在编人员为48人”, a label on one line and
its count on the next). A total followed by its sub-quotas (核定编制52名，其中行政编制15名…)
is read once: the sub-quota words (行政编制, 事业编制 …) are no label of the total; a total
after its kinds (行政9名、事业6名，共15名) is the quota, one kind among several is not; the
离退休 total wins over its 退休 part (离休2人、退休13人，离退休合计15人). Last
year's headcount (上年末在职人数…) is not this year's. Proposes ``Candidate``s; never
decides between them. Must not read tables.
"""

from __future__ import annotations

import re
from functools import cache

from service.extract.clauses import (
    ClauseBasis,
    Hit,
    LabelHit,
    LabelPatterns,
    find_labels,
    report_year,
    respective,
    value_after,
)
from service.extract.ground import Grounder
from service.extract.lexicon import FieldEntry, lexicon
from service.extract.pattern_needs import NeedsIndex
from service.extract.resolve import Candidate
from service.extract.text import Block, sentences


@cache
def _labels() -> LabelPatterns:
    return LabelPatterns(
        [
            (e.path, re.compile(pattern))
            for e in lexicon().fields("staffing.")
            if e.kind == "count"
            for pattern in e.label_patterns()
        ]
    )


def _count_ok(entry: FieldEntry, found: Hit, between: str, alone: bool = False) -> bool:
    """A headcount: a count in one of the entry's units, or a bare whole number after a
    colon (the “编制数：52” form) or standing alone on the line after a label that stands
    alone on its own (a form flattened to one cell per line: “人员编制\n\n21”). A bare
    number under a line of several labels is a table's row, not this label's."""
    value, unit = found.q.value, found.q.unit
    if not isinstance(value, int) or not entry.in_range(value):
        return False
    if found.kind == "count":
        return unit in entry.units
    return found.kind == "number" and unit is None and (bool(re.search("[:：]", between)) or alone)


def _alone_on_line(text: str, start: int, end: int) -> bool:
    """Whether nothing but blanks stands beside [start, end) on its line."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    return not text[line_start:start].strip() and not text[end:line_end].strip()


@cache
def _sub_quota() -> re.Pattern[str]:
    """A sub-quota's figure: “行政编制15名”, “事业6名”, “行政：9名”."""
    sub = lexicon().words_pattern("sub_quota")
    return re.compile(rf"(?:{sub})(?:专项)?(?:编制)?\s*[:：为]?\s*\d+\s*[名人个]")


@cache
def _quota_total() -> re.Pattern[str]:
    """Sub-quotas then their total: “行政编制15名、事业编制34名，共计52名”, “编制数：行政9名、
    事业6名，共15名”."""
    total = lexicon().words_pattern("quota_total")
    return re.compile(rf"(?:{_sub_quota().pattern})[^。；;]*?(?:{total})(?:编制)?")


@cache
def _retired_total() -> re.Pattern[str]:
    return re.compile(lexicon().words_pattern("retired_total"))


def _total_after_parts(g: Grounder, start: int, end: int) -> list[Candidate]:
    """The sum stated after its parts: sub-quotas then the quota (行政编制15名、事业编制34名，
    共计49名); 离休 and 退休 then the retired (离休2名、退休13名，合计15名)."""
    out = []
    for path, rx, cue in (
        ("staffing.authorized", _quota_total(), "sub-quotas total"),
        ("staffing.retired", _retired_parts_total(), "离退休合计"),
    ):
        m = rx.search(g.src, start, end)
        found = value_after(g.src, m.end(), end) if m else None
        if m is None or found is None or not _count_ok(lexicon().field(path), found, ""):
            continue
        value = g.quantity(found.q, found.offset, f"prose cue:{cue}")
        out.append(Candidate(path, value, "prose"))
    return out


@cache
def _retired_parts_total() -> re.Pattern[str]:
    return re.compile(lexicon().words_pattern("retired_parts_total"))


def _is_sub_quota(text: str, hit: LabelHit, found: Hit, sent: Block) -> bool:
    """Whether an authorized figure is one sub-quota among others: the figure follows a
    kind of 编制 (编制数：行政9名), or the label names a kind (核定行政编制12名) and the sentence
    lists another kind's figure (核定行政编制12名、事业编制5名: 12 is not the whole)."""
    if hit.key != "staffing.authorized":
        return False
    if re.search(lexicon().words_pattern("sub_quota"), text[hit.end : found.start]):
        return True
    if not re.search(lexicon().words_pattern("sub_quota"), text[hit.start : hit.end]):
        return False
    return _sub_quota().search(text, found.end, sent.end) is not None


def _sentence(g: Grounder, sent: Block, end: int, year: int | None) -> list[Candidate]:
    """Headcounts of one sentence; ``end`` is where its last label's count may stand."""
    text = g.src
    out: list[Candidate] = []
    out += _total_after_parts(g, sent.start, sent.end)
    hits = find_labels(text, sent.start, sent.end, _labels())
    basis = ClauseBasis(text, sent.start, sent.end, year, [(h.start, h.end) for h in hits])
    paired = respective(text, hits)  # 编制人数、实有人数分别为52人、48人
    read: dict[str, tuple[int, Candidate]] = {}  # each field's count so far, where it ends
    for k, hit in enumerate(hits):
        limit = hits[k + 1].start if k + 1 < len(hits) else end
        found = paired.get(k) or value_after(text, hit.end, limit)
        entry = lexicon().field(hit.key)
        alone = (
            found is not None
            and "\n" in text[hit.end : found.start]
            and _alone_on_line(text, hit.start, hit.end)
            and _alone_on_line(
                text, found.start, found.start + len(text[found.start : found.end].rstrip())
            )
        )
        if found is None or not _count_ok(entry, found, text[hit.end : found.start], alone):
            continue
        if basis.of(hit.start) == "previous" or _is_sub_quota(text, hit, found, sent):
            continue
        if _takes_in_others(text[hit.end : found.start]):
            continue  # 现有民警、辅警共计120人: not the unit's own staff alone
        if hit.key in read and "其中" in text[read[hit.key][0] : hit.start]:
            # 现有教职工98人，其中专任教师80人: a part of the total read before; but where
            # the other part is auxiliary staff (其中在编90人，临聘8人) the part is the count
            if not _takes_in_others(text[found.end : sent.end]):
                continue
            out = [c for c in out if c is not read[hit.key][1]]
        cue = text[hit.start : hit.end].strip()
        value = g.quantity(found.q, found.offset, f"prose cue:{cue}")
        out.append(Candidate(hit.key, value, "prose"))
        read[hit.key] = (found.end, out[-1])
    return out


@cache
def _auxiliary() -> re.Pattern[str]:
    return re.compile(lexicon().words_pattern("auxiliary"))


def _takes_in_others(gap: str) -> bool:
    """Whether the words between a headcount's label and its count add other staff."""
    return _auxiliary().search(gap) is not None


def _retired_parts_dropped(found: list[Candidate]) -> list[Candidate]:
    """离休2人、退休13人，离退休合计15人: the retired total is the 离退休 figure; the 退休
    part beside it is another quantity, neither a second value nor a conflict."""
    retired = [c for c in found if c.path == "staffing.retired"]
    if not any(_retired_total().search(_cue(c)) for c in retired):
        return found
    return [c for c in found if c.path != "staffing.retired" or _retired_total().search(_cue(c))]


def _cue(c: Candidate) -> str:
    locator = (c.value.source.locator if c.value.source else None) or ""
    return locator.rpartition("cue:")[2]


@cache
def _gate() -> NeedsIndex:
    """Every pattern a sentence is read with (labels, totals after their parts), indexed by
    the words their matches need: a paragraph holding none of them states no headcount
    (more than half of a report's paragraphs), and its sentences need not be read."""
    return NeedsIndex([rx for _, rx in _labels()] + [_quota_total(), _retired_parts_total()])


def staffing_candidates(g: Grounder) -> list[Candidate]:
    text = g.src
    year = report_year(g.doc.text)
    out: list[Candidate] = []
    for para in g.paragraphs():
        if not _gate().possible(text, para.start, para.end):
            continue  # no label and no total can match in any of its sentences
        found: list[Candidate] = []
        for sent in sentences(text, para.start, para.end):
            # The last label of a paragraph may have its count on the next line.
            end = sent.end if sent.end < para.end else min(len(text), para.end + 12)
            found += _sentence(g, sent, end, year)
        out += _retired_parts_dropped(found)
    return out
