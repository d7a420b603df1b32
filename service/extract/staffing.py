"""Staffing (人员情况): 编制数, 在职人数, 退休人数 stated in the prose.

Owns the headcount readers. Proposes ``Candidate``s; never decides between them.
Must not read tables.
"""

from __future__ import annotations

import re

from service.extract.ground import Grounder
from service.extract.resolve import Candidate
from service.records.numbers import parse_quantity

_STAFF = {
    "staffing.authorized": r"(?:核定)?编制(?:人数|数)?",
    "staffing.actual": r"(?:实有|实际)?在职(?:在编)?(?:人数|人员)",
    "staffing.retired": r"退休(?:人数|人员)",
}


def staffing_candidates(g: Grounder) -> list[Candidate]:
    text = g.src
    out: list[Candidate] = []
    for path, label in _STAFF.items():
        rx = re.compile(rf"(?<!行政)(?:{label})\s*(?:为|共|有|是|:|：)?\s*(\d{{1,5}}\s*(?:人|名))")
        for m in rx.finditer(text):
            q = parse_quantity(m.group(1))
            if q is not None:
                out.append(Candidate(path, g.quantity(q, m.start(1), "prose"), "prose"))
    return out
