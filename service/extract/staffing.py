"""Staffing (人员情况): 编制数, 在职人数, 退休人数 stated in the prose.

Owns the headcount readers: a label from the lexicon (staffing.toml) and the count a few
words after it (“核定编制52名”, “实有人数：48人”, “在职在编人员为48人”, a label on one line and
its count on the next). A total followed by its sub-quotas (核定编制52名，其中行政编制15名…)
is read once: the sub-quota words (行政编制, 事业编制 …) are no label of the total. Last
year's headcount (上年末在职人数…) is not this year's. Proposes ``Candidate``s; never
decides between them. Must not read tables.
"""

from __future__ import annotations

import re
from functools import cache

from service.extract.clauses import (
    ClauseBasis,
    Hit,
    find_labels,
    report_year,
    respective,
    value_after,
)
from service.extract.ground import Grounder
from service.extract.lexicon import FieldEntry, lexicon
from service.extract.resolve import Candidate
from service.extract.text import sentences


@cache
def _labels() -> list[tuple[str, re.Pattern[str]]]:
    return [
        (e.path, re.compile(pattern))
        for e in lexicon().fields("staffing.")
        if e.kind == "count"
        for pattern in e.label_patterns()
    ]


def _count_ok(entry: FieldEntry, found: Hit, between: str) -> bool:
    """A headcount: a count in one of the entry's units, or a bare whole number after a
    colon (the “编制数：52” form; a bare number on the next line is a table's row under its
    header row, not this label's)."""
    value, unit = found.q.value, found.q.unit
    if not isinstance(value, int) or not entry.in_range(value):
        return False
    if found.kind == "count":
        return unit in entry.units
    return found.kind == "number" and unit is None and bool(re.search("[:：]", between))


@cache
def _quota_total() -> re.Pattern[str]:
    """Sub-quotas then their total: “行政编制15名、事业编制34名，共计52名”."""
    lex = lexicon()
    sub, total = lex.words_pattern("sub_quota"), lex.words_pattern("quota_total")
    return re.compile(rf"(?:{sub})编制\s*\d+\s*[名人个][^。；;]*?(?:{total})")


def _total_after_sub_quotas(g: Grounder, start: int, end: int) -> Candidate | None:
    m = _quota_total().search(g.src, start, end)
    found = value_after(g.src, m.end(), end) if m else None
    entry = lexicon().field("staffing.authorized")
    if m is None or found is None or not _count_ok(entry, found, ""):
        return None
    value = g.quantity(found.q, found.offset, "prose cue:sub-quotas total")
    return Candidate("staffing.authorized", value, "prose")


def staffing_candidates(g: Grounder) -> list[Candidate]:
    text = g.src
    year = report_year(g.doc.text)
    lex = lexicon()
    out: list[Candidate] = []
    for para in g.paragraphs():
        for sent in sentences(text, para.start, para.end):
            if (total := _total_after_sub_quotas(g, sent.start, sent.end)) is not None:
                out.append(total)
            hits = find_labels(text, sent.start, sent.end, _labels())
            basis = ClauseBasis(text, sent.start, sent.end, year, [(h.start, h.end) for h in hits])
            # The last label of a paragraph may have its count on the next line.
            end = sent.end if sent.end < para.end else min(len(text), para.end + 12)
            paired = respective(text, hits)  # 编制人数、实有人数分别为52人、48人
            for k, hit in enumerate(hits):
                limit = hits[k + 1].start if k + 1 < len(hits) else end
                found = paired.get(k) or value_after(text, hit.end, limit)
                entry = lex.field(hit.key)
                if found is None or not _count_ok(entry, found, text[hit.end : found.start]):
                    continue
                if basis.of(hit.start) == "previous":
                    continue
                cue = text[hit.start : hit.end].strip()
                value = g.quantity(found.q, found.offset, f"prose cue:{cue}")
                out.append(Candidate(hit.key, value, "prose"))
    return out
