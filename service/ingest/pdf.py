"""PDF reader: text-layer pages, ruled tables, and the scanned pages inside a PDF.

Each page is decided on its own: a page with a usable text layer is read from it (reading
order, one line per visual text line with its box, ruled tables as cell grids); a page
without one (a scan, text drawn as outlines, fonts without a Unicode mapping) is rendered
and OCR'd. A table that runs off the bottom of one page and continues at the top of the
next is joined into one table written where it starts.

All boxes are in display coordinates of the page (PDF points, origin top-left, the page's
/Rotate applied), the same space a rendered page image has, so OCR'd and text-layer pages
read alike.

Owns reading PDFs and their typed input errors (corrupt, encrypted, no pages, too many
pages, a page too large to render). Must not touch the database or the web; writes the
document only through ``DocumentBuilder``; the OCR engine lives in ``ocr.py``.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pymupdf

from service.document import BBox, CellDraft, Document, DocumentBuilder, SourceInfo, TextSource
from service.errors import (
    CorruptFileError,
    EncryptedFileError,
    ImageTooLargeError,
    JixiaoError,
    NoPagesError,
    TooManyPagesError,
)
from service.ingest.pdf_borderless import could_hold_table, find_borderless
from service.ingest.pdf_layout import Fragment, Item, Placed, Row, reading_order
from service.ingest.pdf_tables import Char, PdfTable, claim_chars, compatible, find_tables, join

if TYPE_CHECKING:
    import numpy as np

    from service.ingest.ocr import OcrPage
    from service.ingest.reader import IngestOptions

# MuPDF prints its errors on stdout by default, where they would corrupt `jixiao ingest`'s
# JSON. Keep them in PyMuPDF's message store instead; read_pdf drains it page by page.
pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)
# The table finder otherwise prints a suggestion to install an optional layout package.
os.environ.setdefault("PYMUPDF_SUGGEST_LAYOUT_ANALYZER", "0")

# No CID-for-unknown-Unicode: a glyph without a Unicode mapping reads as U+FFFD, which is
# how an unreadable text layer is recognised.
TEXT_FLAGS = (
    pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_PRESERVE_LIGATURES | pymupdf.TEXT_MEDIABOX_CLIP
)
_UNREADABLE = re.compile("[\ufffd\ue000-\uf8ff]")
# What ``str.isspace`` calls a space (the same Unicode property), found in one pass.
_SPACE = re.compile(r"\s")
# A page with text on at least this many characters is read from its text layer without
# looking at its images (the scan-with-a-stamped-footer check costs a little).
_CLEARLY_TEXT = 200
# Share of unreadable characters above which a text layer is treated as absent.
_MAX_UNREADABLE = 0.3
# Image cover (share of the page) that makes a page without text a scan.
_SCAN_COVER = 0.1
# Vector paths on a page without text that suggest glyphs drawn as outlines.
_OUTLINE_PATHS = 300
# Top and bottom share of a page where running headers and page numbers stand.
_MARGIN = 0.1


class MissingPagesError(ValueError):
    """Reading with pages OCR'd elsewhere, a page that needs OCR has no result (a bug of
    the caller: a lost page must never be OCR'd again quietly or left out)."""


@dataclass
class _TextPage:
    number: int
    items: list[Item]
    size: tuple[float, float]
    rotation: int
    tables: list[PdfTable] = field(default_factory=list)


@dataclass
class ScannedPage:
    """A page read by OCR: what ``read_pdf`` needs of it to write it into the document."""

    number: int
    ocr: OcrPage
    dpi: int
    reason: str
    size: tuple[float, float]
    rotation: int


_Page = _TextPage | ScannedPage


def read_pdf(
    data: bytes,
    source: SourceInfo,
    options: IngestOptions,
    scanned: Mapping[int, ScannedPage] | None = None,
) -> Document:
    """Read a PDF into a ``Document``. Raises ``InputError`` subclasses on bad input.

    ``scanned``: the pages already OCR'd, by number (``service.ingest.pdf_pages``); given,
    every page that needs OCR must be among them (``MissingPagesError``)."""
    builder = DocumentBuilder(source)
    doc = _open(data, options, builder)
    try:
        pages: list[_Page] = []
        for index in range(doc.page_count):
            pages.append(_read_page(doc, index, options, builder, _last_table(pages), scanned))
    finally:
        doc.close()
        pymupdf.TOOLS.mupdf_warnings()  # leave no messages behind for the next document
    _join_continued_tables(pages, builder)
    for page in pages:
        if isinstance(page, ScannedPage):
            _emit_scanned(builder, page)
        else:
            _emit_text(builder, page)
    return builder.build()


# --- opening ------------------------------------------------------------------------------


def _open(data: bytes, options: IngestOptions, builder: DocumentBuilder) -> pymupdf.Document:
    pymupdf.TOOLS.mupdf_warnings()  # drop messages another document left
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:  # MuPDF raises several types for unreadable input
        pymupdf.TOOLS.mupdf_warnings()
        raise CorruptFileError(f"not a readable PDF: {exc}") from exc
    try:
        messages = pymupdf.TOOLS.mupdf_warnings()
        if doc.needs_pass:
            raise EncryptedFileError()
        pages = doc.page_count
        if pages == 0:
            if doc.is_repaired:
                raise CorruptFileError("no page could be recovered: the file is truncated")
            raise NoPagesError()
        if pages > options.limits.max_pages:
            raise TooManyPagesError(
                f"{pages} pages, limit {options.limits.max_pages}",
                pages=pages,
                limit=options.limits.max_pages,
            )
    except JixiaoError:
        doc.close()
        raise
    if doc.is_repaired:
        first = messages.splitlines()[0] if messages else "broken cross-reference table"
        builder.warn(f"the PDF was damaged and has been repaired ({first})")
    return doc


# --- reading pages ---------------------------------------------------------------------------


def _last_table(pages: list[_Page]) -> PdfTable | None:
    """The last table of the page before, which the next page's top may continue (of a
    scanned page: only the gutters of its last borderless table, on a table of page 0)."""
    if pages and isinstance(pages[-1], ScannedPage) and pages[-1].ocr.last_gutters:
        return PdfTable(0, (0, 0, 0, 0), [], [], [], 0, gutters=pages[-1].ocr.last_gutters)
    if not pages or not isinstance(pages[-1], _TextPage) or not pages[-1].tables:
        return None
    return max(pages[-1].tables, key=lambda t: t.box[3])


def _read_page(
    doc: pymupdf.Document,
    index: int,
    options: IngestOptions,
    builder: DocumentBuilder,
    previous: PdfTable | None = None,
    scanned: Mapping[int, ScannedPage] | None = None,
) -> _Page:
    number = index + 1
    try:
        page = doc.load_page(index)
        result = _read_loaded_page(page, number, options, previous, scanned)
    except (JixiaoError, MissingPagesError):
        raise
    except Exception as exc:  # MuPDF raises several unrelated types for a damaged page
        raise CorruptFileError(f"page {number} cannot be read: {exc}", page=number) from exc
    messages = pymupdf.TOOLS.mupdf_warnings()
    if messages:
        first = messages.splitlines()[0]
        if doc.is_repaired:
            # A truncated file loses objects: its pages read back partly or empty, silently.
            raise CorruptFileError(
                f"the file is truncated or damaged: page {number} is incomplete ({first})",
                page=number,
            )
        builder.warn(f"page {number}: the PDF reader reported a problem ({first})")
    return result


def _read_loaded_page(
    page: pymupdf.Page,
    number: int,
    options: IngestOptions,
    previous: PdfTable | None = None,
    scanned: Mapping[int, ScannedPage] | None = None,
) -> _Page:
    rect = page.rect
    size = (rect.width, rect.height)
    rotation = page.rotation
    transform = _display_transform(page, rotation)
    lines = _char_lines(page, transform)
    reason = _ocr_reason(page, lines, transform, options)
    if reason is not None and scanned is not None:
        if number not in scanned:
            raise MissingPagesError(f"page {number} needs OCR and has no result")
        return _continued(page, scanned[number], options, previous)
    if reason is not None:
        ocr, dpi = _ocr_page(page, number, options, previous)
        return ScannedPage(number, ocr, dpi, reason, size, rotation)
    tables = find_tables(page, number)
    chars = [ch for line, _ in lines for ch in line]
    taken = claim_chars(tables, chars) if tables else [False] * len(chars)
    if could_hold_table(lines):  # one cheap pass; pages of prose stop here
        sizes = [font for line, font in lines for _ in line]
        before = previous if previous is not None and previous.page else None  # not a scan's
        tables += find_borderless(chars, sizes, taken, (number, size[1]), before)
    fragments = []
    i = 0
    any_taken = any(taken)  # a page of prose has no table's characters to leave out
    for line, font_size in lines:
        kept = [ch for k, ch in enumerate(line) if not taken[i + k]] if any_taken else line
        i += len(line)
        fragment = _fragment(kept, font_size)
        if fragment is not None:
            fragments.append(fragment)
    items = reading_order(fragments, [Placed(t.box, t) for t in tables])
    return _TextPage(number, items, size, rotation, tables)


Transform = tuple[float, float, float, float, float, float] | None


def _display_transform(page: pymupdf.Page, rotation: int | None = None) -> Transform:
    """Text comes out in unrotated page space; boxes are kept in display space.
    ``rotation``: the page's, when the caller has it already."""
    if not (page.rotation if rotation is None else rotation):
        return None
    m = page.rotation_matrix
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _to_display(box: tuple[float, float, float, float], t: Transform) -> tuple:
    if t is None:
        return box
    a, b, c, d, e, f = t
    x0, y0, x1, y1 = box
    xs = (a * x0 + c * y0 + e, a * x1 + c * y1 + e)
    ys = (b * x0 + d * y0 + f, b * x1 + d * y1 + f)
    return (min(xs), min(ys), max(xs), max(ys))


def _char_lines(page: pymupdf.Page, t: Transform) -> list[tuple[list[Char], float]]:
    """Every text line of the page as its characters (display boxes) and its font size."""
    textpage = page.get_textpage(flags=TEXT_FLAGS)
    out = []
    for block in textpage.extractRAWDICT()["blocks"]:
        for line in block.get("lines", ()):
            chars: list[Char] = []
            size = 0.0
            for span in line["spans"]:
                size = max(size, span["size"])
                if t is None:  # an upright page (most): the boxes as they are
                    chars += [(ch["c"], *ch["bbox"]) for ch in span["chars"]]
                else:
                    chars += [(ch["c"], *_to_display(ch["bbox"], t)) for ch in span["chars"]]
            if chars:
                out.append((chars, size))
    return out


def _fragment(chars: list[Char], font_size: float) -> Fragment | None:
    text = "".join([ch[0] for ch in chars])
    if not text.strip():
        return None
    ink = chars if _SPACE.search(text) is None else [ch for ch in chars if not ch[0].isspace()]
    _, x0, y0, x1, y1 = zip(*ink, strict=True)
    box = (min(x0), min(y0), max(x1), max(y1))
    return Fragment(text, box, font_size or (box[3] - box[1]))


# --- text layer or OCR -----------------------------------------------------------------------


def _ocr_reason(
    page: pymupdf.Page,
    lines: list[tuple[list[Char], float]],
    t: Transform,
    options: IngestOptions,
) -> str | None:
    """Why this page must be OCR'd, or None to read its text layer."""
    if options.force_ocr:
        return "OCR requested for every page"
    # Every character is one code point: splitting drops exactly those that are spaces.
    text = "".join("".join([ch[0] for line, _ in lines for ch in line]).split())
    unreadable = len(_UNREADABLE.findall(text))
    usable = len(text) - unreadable
    min_chars = options.ocr.min_text_chars
    if unreadable >= 5 and unreadable / len(text) > _MAX_UNREADABLE:
        return "its text layer has no Unicode mapping (unreadable fonts)"
    if usable >= max(_CLEARLY_TEXT, min_chars):
        return None
    area = page.rect.width * page.rect.height
    images = [
        pymupdf.Rect(_to_display(info["bbox"], t)) & page.rect for info in page.get_image_info()
    ]
    cover = sum(r.get_area() for r in images if not r.is_empty) / area if area else 0.0
    if usable < min_chars:
        if cover >= _SCAN_COVER:
            return "it has no text layer (a scanned page)"
        if usable == 0 and len(page.get_cdrawings()) >= _OUTLINE_PATHS:
            return "its text is drawn as outlines, not as text"
        return None
    big = [r for r in images if r.get_area() >= 0.5 * area]
    if big:
        on_image = sum(
            1
            for line, _ in lines
            for ch in line
            if not ch[0].isspace()
            and any(
                r.contains(pymupdf.Point((ch[1] + ch[3]) / 2, (ch[2] + ch[4]) / 2)) for r in big
            )
        )
        if on_image < min_chars:
            return "it is a scanned page with only a little text (a header or footer) on it"
    return None


def _ocr_page(
    page: pymupdf.Page, number: int, options: IngestOptions, previous: PdfTable | None
) -> tuple[OcrPage, int]:
    from service.ingest.ocr import ocr_image  # loads the ONNX models: only when needed

    image = render_page(page, options.ocr.dpi, options.limits.max_image_pixels, number)
    return ocr_image(image, options.ocr, _scan_gutters(previous)), options.ocr.dpi


def _scan_gutters(previous: PdfTable | None) -> list[tuple[float, float]] | None:
    """The gutters a scanned page's top may continue: only a scanned page's (``page`` 0)."""
    return _as_gutters(previous.gutters) if previous is not None and previous.page == 0 else None


def _as_gutters(gutters: list[tuple[float, float]] | None) -> list[tuple[float, float]] | None:
    return [(float(a), float(b)) for a, b in gutters] if gutters else None


def _continued(
    page: pymupdf.Page, kept: ScannedPage, options: IngestOptions, previous: PdfTable | None
) -> ScannedPage:
    """A page OCR'd elsewhere, laid out again (not OCR'd again) when it was read without
    the borderless table the page before ends with (the first page of a split scan's page
    range), so that its top continues that table as reading in one go does."""
    gutters = _scan_gutters(previous)
    if _as_gutters(kept.ocr.previous) == gutters:
        return kept
    from service.ingest.ocr import lay_out_again

    image = render_page(page, kept.dpi, options.limits.max_image_pixels, kept.number)
    return replace(kept, ocr=lay_out_again(image, kept.ocr, gutters))


def render_page(page: pymupdf.Page, dpi: int, max_pixels: int, number: int) -> np.ndarray:
    """The page as an HxWx3 BGR image at ``dpi``, refused before rendering when larger
    than ``max_pixels`` (a page can declare any size, up to 200 x 200 inches)."""
    width = math.ceil(page.rect.width * dpi / 72)
    height = math.ceil(page.rect.height * dpi / 72)
    if width * height > max_pixels:
        raise ImageTooLargeError(
            f"page {number} would render to {width}x{height} pixels at {dpi} dpi,"
            f" limit {max_pixels}",
            page=number,
            pixels=width * height,
            limit=max_pixels,
        )
    import numpy as np  # only pages that are rendered need it (not a text PDF)

    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB, alpha=False)
    rgb = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.stride)
    rgb = rgb[:, : pix.width * 3].reshape(pix.height, pix.width, 3)
    return np.ascontiguousarray(rgb[:, :, ::-1])


# --- tables across page breaks ---------------------------------------------------------------


def _is_margin_row(item: Item, height: float) -> bool:
    """A running header, page number or "续表" note: not content that ends or starts a page."""
    if not isinstance(item, Row):
        return False
    y0, y1 = item.box[1], item.box[3]
    return y1 <= _MARGIN * height or y0 >= (1 - _MARGIN) * height or item.text.startswith("续表")


def _edge_table(page: _Page, last: bool) -> PdfTable | None:
    if not isinstance(page, _TextPage):
        return None
    items = reversed(page.items) if last else iter(page.items)
    for item in items:
        if _is_margin_row(item, page.size[1]):
            continue
        if isinstance(item, Placed) and isinstance(item.payload, PdfTable):
            table = item.payload
            while table.joined_into is not None:
                table = table.joined_into
            return table
        return None
    return None


def _join_continued_tables(pages: list[_Page], builder: DocumentBuilder) -> None:
    roots: list[PdfTable] = []
    for before, after in zip(pages, pages[1:], strict=False):
        tail, head = _edge_table(before, last=True), _edge_table(after, last=False)
        if tail is None or head is None or tail is head or not compatible(tail, head):
            continue
        # The continuation stays in its page's items (so a table running over three pages
        # is found again at the bottom of the middle one) and is skipped when writing.
        join(tail, head)
        if tail not in roots:
            roots.append(tail)
    for table in roots:
        note = (
            f", {table.dropped_header_rows} repeated header row(s) dropped"
            if table.dropped_header_rows
            else ""
        )
        builder.warn(
            f"table on pages {table.pages[0]}-{table.pages[-1]} continues across page breaks:"
            f" joined into one table of {table.n_rows} rows{note}"
        )


# --- writing --------------------------------------------------------------------------------


def _emit_text(builder: DocumentBuilder, page: _TextPage) -> None:
    builder.start_page(
        width=page.size[0],
        height=page.size[1],
        rotation=page.rotation,
        text_source=TextSource.text_layer,
    )
    for item in page.items:
        if isinstance(item, Placed) and getattr(item.payload, "joined_into", None) is not None:
            continue  # written with the table it continues, on an earlier page
        if item.new_paragraph:
            builder.add_blank()
        if isinstance(item, Row):
            builder.add_line(item.text, _bbox(item.box))
        elif isinstance(item.payload, PdfTable):
            _emit_table(builder, item.payload)
            builder.add_blank()


def _emit_table(builder: DocumentBuilder, table: PdfTable) -> None:
    cells = [
        CellDraft(
            row=c.row,
            col=c.col,
            text=c.text,
            row_span=c.row_span,
            col_span=c.col_span,
            bbox=_bbox(c.box),
            page=c.page,
        )
        for c in table.cells
    ]
    builder.add_table(cells, bbox=_bbox(table.box))


def _bbox(box: tuple[float, float, float, float]) -> BBox:
    return BBox(x0=box[0], y0=box[1], x1=box[2], y1=box[3])


def _emit_scanned(builder: DocumentBuilder, page: ScannedPage) -> None:
    from service.ingest.ocr import emit_ocr_page

    builder.start_page(
        width=page.size[0],
        height=page.size[1],
        rotation=page.rotation,
        text_source=TextSource.ocr,
        ocr_confidence=page.ocr.confidence,
    )
    emit_ocr_page(builder, page.ocr, 72 / page.dpi)
    confidence = f", mean confidence {page.ocr.confidence:.2f}" if page.ocr.confidence else ""
    builder.warn(
        f"page {page.number}: read by OCR at {page.dpi} dpi because {page.reason}{confidence}"
    )
