"""Report metadata: who evaluated which year, when, how, and with what verdict.

Owns: title, department, fiscal year, budget code, report date, evaluation method and
evaluator (the ☒/☐ checkboxes of the cover), total score and grade stated outside the
indicator table. The words for each field are data (``lexicon/report.toml``); this package
knows the layouts, whatever the template: a title over one to three lines (wrapped inside a
word in a PDF), label/value pairs on lines or in table cells (label and value on one line,
on two, or in neighbouring cells), a line repeated at the top of most pages, a first
sentence naming the unit, a signature (unit, then date) closing the report. The cue is the
value's source locator: ``title``, ``cover``, ``header``, ``prose``, ``signature``.

Proposes ``Candidate``s. Cues differ in strength (the cover form over the title over a
running header over a sentence): a weaker cue is proposed only where it agrees with the
strongest one present, so a header's short name is no contradiction of the cover. Staffing
is staffing.py's; the indicator table's total row is tables.py's.

Modules: ``title`` (the title and a running header), ``forms`` (label/value pairs and
checkboxes), ``sentences`` (a unit or year stated in a sentence, score and grade, the
signature), ``opening`` (the unit and year of the opening lines), ``cues`` and
``dates`` (what they share). This module settles their cues.
"""

from __future__ import annotations

from service.extract.ground import Grounder
from service.extract.meta.cues import Cue
from service.extract.meta.dates import find_any_date
from service.extract.meta.forms import form_cues, table_cues
from service.extract.meta.opening import opening_cues
from service.extract.meta.sentences import prose_cues, signature_cues
from service.extract.meta.title import header_cues, title_cues
from service.extract.resolve import Candidate, same_value

__all__ = ["find_any_date", "report_candidates", "settle"]


def report_candidates(g: Grounder, gv: Grounder, head_end: int) -> list[Candidate]:
    """Every cue for the report's metadata, settled by cue strength. ``g`` grounds in the
    document, ``gv`` in the prose view; ``head_end`` is where the first heading stands."""
    cues = title_cues(g, head_end) + form_cues(g) + table_cues(g) + header_cues(g)
    cues += prose_cues(gv, head_end) + opening_cues(gv, head_end) + signature_cues(g)
    return settle(cues)


def settle(cues: list[Cue]) -> list[Candidate]:
    """Per path, the candidates of the strongest cue present, and weaker ones that agree
    with them; from the weakest cue alone (rank 1, a guess), only its best-voted value."""
    out: list[Candidate] = []
    by_path: dict[str, list[Cue]] = {}
    for c in cues:
        by_path.setdefault(c.candidate.path, []).append(c)
    for mine in by_path.values():
        top = max(c.rank for c in mine)
        best = [c.candidate for c in mine if c.rank == top]
        if top == 1:
            best = _best_voted(best)
        # one representative per distinct value: a long document states a year hundreds
        # of times, and comparing every statement with every other grew quadratically
        values = [grp[0].value for grp in _groups(best)]
        agree = [
            c.candidate
            for c in mine
            if c.rank < top and any(same_value(c.candidate.value, v) for v in values)
        ]
        out += best + agree
    return out


def _groups(cands: list[Candidate]) -> list[list[Candidate]]:
    """Candidates grouped by value (each group keyed by its first statement), in order."""
    groups: list[list[Candidate]] = []
    for c in cands:
        for grp in groups:
            if same_value(c.value, grp[0].value):
                grp.append(c)
                break
        else:
            groups.append([c])
    return groups


def _best_voted(cands: list[Candidate]) -> list[Candidate]:
    return max(_groups(cands), key=lambda grp: sum(c.weight for c in grp))  # ties: the earliest
