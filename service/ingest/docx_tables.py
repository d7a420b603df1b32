"""Word tables → grids, and the walk over a story's blocks that finds them.

Owns the shapes Word and WPS give one table: rows that skip grid columns (``w:gridBefore``,
``w:gridAfter``), spans and merges (``w:gridSpan``, ``w:vMerge``, the legacy ``w:hMerge``)
read from the ``w:tc`` elements themselves, content controls (``w:sdt``) or custom XML
around the table, a row or a cell, and a table continued after a page break as a second
Word table (its header repeated or not). The block walk looks through content controls and
tracked insertions, reads a text box's content (``w:txbxContent``) once (the DrawingML
choice, never its VML fallback copy too), and opens a layout table (a one-cell frame, or a
table whose cells hold tables) into the blocks it holds. Must not touch the document
builder's text or spans.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace

from lxml import etree

from service.document import CellDraft
from service.ingest.flat_tables import join_wrapped

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


P, TBL, TR, TC, SDT, SDT_CONTENT = (_w(t) for t in ("p", "tbl", "tr", "tc", "sdt", "sdtContent"))
TXBX = _w("txbxContent")
FALLBACK = f"{{{MC_NS}}}Fallback"
# Containers whose children are the blocks (or rows, or cells) they wrap.
_WRAPPERS = {_w("customXml"), _w("ins"), _w("moveTo"), _w("smartTag")}
_FIGURE = re.compile(r"^[-+−]?[\d,，]*\d(?:\.\d+)?%?$")

TextOf = Callable[[etree._Element], str]


def _children(parent: etree._Element, wanted: str) -> Iterator[etree._Element]:
    """``parent``'s children of tag ``wanted``, looking through content controls and
    custom-XML or revision wrappers (a ``w:sdt`` around a row or a cell)."""
    for child in parent:
        if child.tag == wanted:
            yield child
        elif child.tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from _children(content, wanted)
        elif child.tag in _WRAPPERS:
            yield from _children(child, wanted)


def blocks(parent: etree._Element) -> Iterator[etree._Element]:
    """Paragraphs and data tables in reading order: content controls looked through, a
    paragraph's text boxes read right after it, layout tables opened into their blocks."""
    for child in parent:
        if child.tag == P:
            yield child
            for box in text_boxes(child):
                yield from blocks(box)
        elif child.tag == TBL:
            if is_layout(child):
                for tr in _children(child, TR):
                    for tc in _children(tr, TC):
                        yield from blocks(tc)
            else:
                yield child
        elif child.tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from blocks(content)
        elif child.tag in _WRAPPERS:
            yield from blocks(child)


def text_boxes(element: etree._Element) -> Iterator[etree._Element]:
    """The text boxes anchored in ``element``, each once: an ``mc:AlternateContent``'s
    fallback repeats its choice and is left out; a box inside a box is its blocks' affair."""
    for child in element:
        if not isinstance(child.tag, str) or child.tag == FALLBACK:
            continue
        if child.tag == TXBX:
            yield child
        else:
            yield from text_boxes(child)


def is_layout(tbl: etree._Element) -> bool:
    """A table used to place things, not to hold data: a single cell (a frame around prose
    or around the real table), cells that all hold sentences, or a table holding tables whose every row is one cell or
    whose other cells are empty. A data table with a breakdown table in one cell beside
    its label is no layout: the breakdown is flattened into its cell."""
    rows = [list(_children(tr, TC)) for tr in _children(tbl, TR)]
    cells = [tc for row in rows for tc in row]
    if len(cells) == 1:
        return True
    holding = [any(b.tag == TBL for b in blocks(tc)) for tc in cells]
    if not any(holding):
        return _all_prose(cells)
    if all(len(row) == 1 for row in rows):
        return True
    return all(
        h or not "".join(tc.itertext()).strip() for tc, h in zip(cells, holding, strict=True)
    )


_SENTENCE_END = re.compile(r"[。！？；]")


def _all_prose(cells: list[etree._Element]) -> bool:
    """Every filled cell holds sentences: a page laid out in columns, not a grid of data."""
    texts = ["".join(tc.itertext()).strip() for tc in cells]
    filled = [t for t in texts if t]
    return bool(filled) and all(_SENTENCE_END.search(t) for t in filled)


def int_attr(element: etree._Element | None, default: int) -> int:
    if element is None:
        return default
    try:
        return int(element.get(_w("val"), default))
    except ValueError:
        return default


def _find(tc_pr: etree._Element | None, tag: str) -> etree._Element | None:
    return None if tc_pr is None else tc_pr.find(_w(tag))


def table_cells(tbl: etree._Element, text_of: TextOf) -> list[CellDraft]:
    """The table's grid: each merged cell once, at its top-left, with its spans."""
    drafts: list[CellDraft] = []
    open_merges: dict[int, CellDraft] = {}  # grid column → cell a vertical merge started in
    for r, tr in enumerate(_children(tbl, TR)):
        col = int_attr(tr.find(f"{_w('trPr')}/{_w('gridBefore')}"), 0)
        for tc in _children(tr, TC):
            tc_pr = tc.find(_w("tcPr"))
            span = max(1, int_attr(_find(tc_pr, "gridSpan"), 1))
            v_merge = _find(tc_pr, "vMerge")
            h_merge = _find(tc_pr, "hMerge")
            if h_merge is not None and h_merge.get(_w("val"), "continue") == "continue" and drafts:
                # Legacy horizontal merge: this cell widens the one on its left.
                left = _draft_ending_at(drafts, r, col)
                if left is not None:
                    left.col_span += span
                    col += span
                    continue
            started = open_merges.get(col)
            continues = v_merge is not None and v_merge.get(_w("val"), "continue") == "continue"
            if continues and started is not None and started.col_span == span:
                started.row_span = r - started.row + 1
                col += span
                continue
            draft = CellDraft(row=r, col=col, col_span=span, text=cell_text(tc, text_of))
            drafts.append(draft)
            for c in range(col, col + span):
                open_merges.pop(c, None)
            if v_merge is not None:  # restart
                open_merges[col] = draft
            col += span
    return _without_empty_rows(drafts)


def _without_empty_rows(drafts: list[CellDraft]) -> list[CellDraft]:
    """The grid less its wholly empty rows (a spacer row under the header, a blank last
    row): no merged cell reaches into them, so the rows close up around them."""
    n_rows = max((d.row + d.row_span for d in drafts), default=0)
    filled = {r for d in drafts for r in range(d.row, d.row + d.row_span) if d.text.strip()}
    covered = {r for d in drafts for r in range(d.row + 1, d.row + d.row_span)}
    empty = [r for r in range(n_rows) if r not in filled and r not in covered]
    if not empty or len(empty) == n_rows:
        return drafts
    kept = [d for d in drafts if d.row not in empty]
    for d in kept:
        d.row -= sum(1 for r in empty if r < d.row)
    return kept


def _draft_ending_at(drafts: list[CellDraft], row: int, col: int) -> CellDraft | None:
    for draft in reversed(drafts):
        if draft.row == row and draft.col + draft.col_span == col:
            return draft
    return None


def cell_text(tc: etree._Element, text_of: TextOf) -> str:
    """A cell's paragraphs glued as wrapped lines are (``产出指标`` + ``(50分)``); a tab or
    break inside a paragraph is a space; a nested table's cells are kept apart by spaces so
    a label never runs into its value."""
    text = ""
    for block in blocks(tc):
        if block.tag == P:
            for piece in text_of(block).split("\n"):
                text = join_wrapped(text, " ".join(piece.split()))
        else:
            nested = " ".join(d.text.strip() for d in table_cells(block, text_of))
            text = f"{text} {nested}".strip()
    return text


def _row_texts(cells: list[CellDraft], row: int) -> list[tuple[int, str]]:
    return sorted((c.col, " ".join(c.text.split())) for c in cells if c.row == row)


def continued(head: list[CellDraft], tail: list[CellDraft]) -> list[CellDraft] | None:
    """``head`` and ``tail`` joined as one table when ``tail`` carries it on (the same
    grid columns, and its first row either repeats ``head``'s header, dropped, or already
    holds figures); else None."""
    if not head or not tail:
        return None
    width = max(c.col + c.col_span for c in head)
    if width != max(c.col + c.col_span for c in tail):
        return None
    first = _row_texts(tail, 0)
    skip = 1 if first == _row_texts(head, 0) else 0
    if not skip and not any(_FIGURE.match(t) for _, t in first):
        return None
    shift = max(c.row + c.row_span for c in head) - skip
    moved = [replace(c, row=c.row + shift) for c in tail if c.row >= skip]
    return [*head, *moved]
