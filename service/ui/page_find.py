"""Where text stands on the page images: find-in-page hits, and each part of a value.

Owns two questions the review page's page pane asks of the read document's lines and cells
(``SourceDoc.segments``): where every occurrence of a searched word stands (page and boxes,
as percentages of the page, like the values' boxes), and on which page each stored box of a
value stands, so a value that runs over a line or page break is drawn part by part on the
pages it stands on (never with its second part over the first page's footer). Pure
functions; no database, no HTTP.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

from service.document import BBox, Span
from service.document.model import part_box
from service.ui.sources import PageInfo, Segment, SourceDoc

MAX_HITS = 500
MAX_QUERY = 100
# A page's running number, which a value running over a page break spans but is no part of
_FOLIO = re.compile(
    r"^[\s\-—–]*(?:\d{1,4}|第\s*\d{1,4}\s*页(?:\s*[,，]?\s*共\s*\d{1,4}\s*页)?)[\s\-—–]*$"
)


@dataclass
class PartBox:
    """A box on one page, in percent of the page (left, top, width, height)."""

    page: int
    left: float
    top: float
    width: float
    height: float


@dataclass
class Hit:
    page: int
    start: int
    end: int
    boxes: list[PartBox] = field(default_factory=list)


def to_percent(page: PageInfo, box: tuple[float, float, float, float], pad: float) -> PartBox:
    """A box in points as percentages of its page, ``pad`` points around the glyphs."""
    width, height = float(page.width or 1), float(page.height or 1)
    x0, y0, x1, y1 = box
    return PartBox(
        page=page.number,
        left=max(0.0, (x0 - pad) / width * 100),
        top=max(0.0, (y0 - pad) / height * 100),
        width=max(0.3, (x1 - x0 + 2 * pad) / width * 100),
        height=max(0.3, (y1 - y0 + 2 * pad) / height * 100),
    )


def _overlapping(source: SourceDoc, start: int, end: int) -> list[Segment]:
    segments = source.segments
    out = []
    for i in range(bisect.bisect_right(source.segment_ends, start), len(segments)):
        seg = segments[i]
        if seg.start >= end:
            break
        if seg.end > start and seg.end > seg.start:
            out.append(seg)
    return out


def _wrapped(text: str, seg: Segment) -> bool:
    """A cell whose text wraps onto several lines inside its box: set on one line at the em
    its box's height suggests, the text would run far past the box. A part of such a text
    cannot be placed by its characters' advances (the part comes out a sliver at the cell's
    edge); the whole cell is boxed instead."""
    x0, y0, x1, y1 = seg.box
    em = (y1 - y0) / 1.25  # a single line's box is about 1.25 em high
    words = text[seg.start : seg.end].strip()
    advance = sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.55 for ch in words)
    return len(words) > 1 and advance * em > 1.6 * (x1 - x0)


def page_of(source: SourceDoc, offset: int) -> int:
    starts = [p.start for p in source.pages]
    if not starts:
        return 1
    return source.pages[max(bisect.bisect_right(starts, offset) - 1, 0)].number


# --- find-in-page ----------------------------------------------------------------------------


def normalise_query(query: str) -> str:
    """The query as the document text is kept: NFKC, no surrounding or doubled blanks."""
    return " ".join(unicodedata.normalize("NFKC", query).split())[:MAX_QUERY]


def find(source: SourceDoc, query: str, limit: int = MAX_HITS) -> tuple[list[Hit], int]:
    """Every occurrence of ``query`` in the document text (case-insensitive for Latin
    letters), with its page and boxes; (the first ``limit`` hits, how many there are)."""
    needle = normalise_query(query)
    text = source.text
    if not needle or not text:
        return [], 0
    hay = text.lower() if len(text.lower()) == len(text) else text
    needle = needle.lower() if hay is not text else needle
    pages = {p.number: p for p in source.pages if p.sized}
    hits: list[Hit] = []
    total = 0
    at = hay.find(needle)
    while at >= 0:
        total += 1
        if len(hits) < limit:
            hits.append(_hit(source, pages, at, at + len(needle)))
        at = hay.find(needle, at + len(needle))
    return hits, total


def _hit(source: SourceDoc, pages: dict[int, PageInfo], start: int, end: int) -> Hit:
    hit = Hit(page=page_of(source, start), start=start, end=end)
    span = Span(start=start, end=end)
    for seg in _overlapping(source, start, end):
        page = pages.get(seg.page)
        x0, y0, x1, y1 = seg.box
        part = part_box(source.text, BBox(x0=x0, y0=y0, x1=x1, y1=y1), seg.start, seg.end, span)
        if page is None or part is None:
            continue
        if not hit.boxes:
            hit.page = seg.page
        coords = seg.box if _wrapped(source.text, seg) else (part.x0, part.y0, part.x1, part.y1)
        hit.boxes.append(to_percent(page, coords, 1.0))
    return hit


# --- a value's parts ---------------------------------------------------------------------------


def value_parts(
    source: SourceDoc,
    span: dict[str, int] | None,
    boxes: list[tuple[float, float, float, float]],
    page: int,
) -> list[tuple[int, tuple[float, float, float, float]]]:
    """(page, box) of each stored box of a value whose source is ``span`` on ``page``.

    The stored boxes are ``Document.locate``'s, one per line or cell the span covers, in
    text order: the lines and cells the span covers name each box's page. A page's running
    number inside the span (a value over a page break) is no part of the value: dropped.
    A part in a table cell whose text wraps is the whole cell (``_wrapped``). Where the
    lines are not known (an old reading), every box stays on ``page``."""
    if not isinstance(span, dict) or not source.segments:
        return [(page, b) for b in boxes]
    try:
        start, end = int(span["start"]), int(span["end"])
    except (KeyError, TypeError, ValueError):
        return [(page, b) for b in boxes]
    segs = _overlapping(source, start, end)
    if len(segs) != len(boxes):
        return [(_page_by_place(segs, b, page), b) for b in boxes]
    crosses = len({s.page for s in segs}) > 1
    out = []
    for seg, box in zip(segs, boxes, strict=True):
        if crosses and _FOLIO.match(source.text[seg.start : seg.end]):
            continue
        out.append((seg.page, seg.box if _wrapped(source.text, seg) else box))
    return out


def _page_by_place(segs: list[Segment], box: tuple[float, float, float, float], page: int) -> int:
    """The page of the covered line whose box holds ``box`` (the first, if several do)."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    for seg in segs:
        x0, y0, x1, y1 = seg.box
        if x0 - 1 <= cx <= x1 + 1 and y0 - 1 <= cy <= y1 + 1:
            return seg.page
    return page


def find_json(source: SourceDoc, query: str) -> dict[str, object]:
    """What the page's script draws of a search: each hit's page and boxes."""
    hits, total = find(source, query)
    return {
        "query": normalise_query(query),
        "total": total,
        "hits": [
            {
                "page": h.page,
                "start": h.start,
                "end": h.end,
                "boxes": [
                    {
                        "page": b.page,
                        "left": round(b.left, 3),
                        "top": round(b.top, 3),
                        "width": round(b.width, 3),
                        "height": round(b.height, 3),
                    }
                    for b in h.boxes
                ],
            }
            for h in hits
        ],
    }
