"""What was not read, and where to look: the export's ``not_stated`` and ``possibly_missed``.

Owns: splitting the scalar fields no reader found into those whose label words (from the
field lexicon) stand nowhere in the document, and those whose words do stand somewhere
(a place a reader may have missed: 可能漏读), each with the places as ``Source``s. Reads
the document text and the lexicon only; never proposes a value. Must not import the store,
the API or an LLM client.
"""

from __future__ import annotations

import re
from functools import cache

from service.document import Document
from service.extract.ground import Grounder
from service.extract.lexicon import lexicon
from service.extract.resolve import get_path, scalar_paths
from service.records import PossiblyMissed, ReportExport, Source

MAX_PLACES = 5  # per field: enough to look at, not a concordance
# A label followed by a figure within this many characters is the likelier place.
_FIGURE_NEAR = re.compile(r"[^。；\n]{0,16}?\d")


def label_places(doc: Document, path: str) -> list[tuple[str, int, int]]:
    """(label as written, start, end) of every place the lexicon's words for ``path`` stand,
    those with a figure right after them first, then in reading order."""
    seen: set[tuple[int, int]] = set()
    places: list[tuple[str, int, int]] = []
    for pattern in _label_patterns(path):
        for m in pattern.finditer(doc.text):
            if m.end() > m.start() and (m.start(), m.end()) not in seen:
                seen.add((m.start(), m.end()))
                places.append((m.group(0), m.start(), m.end()))
    places.sort(key=lambda p: (not _FIGURE_NEAR.match(doc.text, p[2]), p[1]))
    return places


@cache
def _label_patterns(path: str) -> tuple[re.Pattern[str], ...]:
    """The lexicon's label and row-label patterns of ``path``, compiled once (a report
    misses dozens of fields, each looked for on every extraction)."""
    entry = lexicon().get(path)
    if entry is None:
        return ()
    return tuple(re.compile(p) for p in (entry.label_pattern(), entry.row_label_pattern()) if p)


@cache
def _scalar_paths() -> tuple[str, ...]:
    """``scalar_paths()`` (a walk over the export's record classes) once: the schema
    does not change while the service runs."""
    return tuple(scalar_paths())


def split_missing(export: ReportExport, doc: Document) -> None:
    """Fill ``missing`` (deprecated union), ``not_stated`` and ``possibly_missed``."""
    g = Grounder(doc, export.extractor.name if export.extractor.name == "llm" else "rules")
    export.missing = [p for p in _scalar_paths() if get_path(export, p) is None]
    export.not_stated = []
    export.possibly_missed = []
    for path in export.missing:
        places = label_places(doc, path)[:MAX_PLACES]
        if not places:
            export.not_stated.append(path)
            continue
        sources: list[Source] = [g.source(s, e, locator="label") for _, s, e in places]
        export.possibly_missed.append(
            PossiblyMissed(path=path, label=places[0][0], source=sources[0], also=sources[1:])
        )


def keep_still_missing(export: ReportExport) -> None:
    """After values were added (an LLM filled some fields): drop what is now found."""
    export.missing = [p for p in _scalar_paths() if get_path(export, p) is None]
    still = set(export.missing)
    export.not_stated = [p for p in export.not_stated if p in still]
    export.possibly_missed = [m for m in export.possibly_missed if m.path in still]
