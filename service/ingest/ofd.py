"""The OFD reader (GB/T 33190): a zip of XML → text with positions → ``Document``.

Owns reading the package: ``OFD.xml`` → its ``DocRoot`` (``Document.xml``) → the pages'
``Content.xml`` (and the template pages they name), each layer's ``TextObject`` (its
``Boundary``, optional ``CTM``, ``Size`` and the ``TextCode`` runs with ``X``/``Y`` and
``DeltaX``/``DeltaY``, ``g N advance`` runs expanded), ``PathObject`` rules
(``AbbreviatedData``) and ``ImageObject`` pictures (a scanned OFD). Each glyph is placed
where the file puts it, in millimetres.

The layout step — reading order, lines, ruled tables with merged cells, tables continued
across pages, OCR of pages that are pictures — is the PDF reader's: the glyphs, rules and
pictures are drawn at their positions into an in-memory PDF (millimetres → points) that
``read_pdf`` reads, so an OFD gets the same grounding (spans and boxes, in points, origin
top-left) as a PDF. The original file is what the document's source describes.

Limits: the unpacked size is bounded as a DOCX's; XML is parsed without entities or network;
pages at most the page limit. An encrypted OFD (``Encryptions.xml``) is refused. Must not
touch the database, the web, or spans (the builder, inside ``read_pdf``, writes them).
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from service.document import Document, SourceInfo
from service.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedFileError,
    FileTooLargeError,
    NoPagesError,
    TooManyPagesError,
)
from service.ingest.reader import IngestOptions
from service.ingest.sheets import check_zip_expansion

PT = 72 / 25.4  # points per millimetre
MAX_PART = 64 * 1024 * 1024  # bytes of one XML part, unpacked
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_NUMBER = re.compile(r"-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|-?\.\d+")


@dataclass
class Glyph:
    text: str
    x: float  # baseline origin, mm from the page's top-left
    y: float
    size: float  # mm
    code: int = 0  # the TextCode it came from: only its own advances are stretched


@dataclass
class OfdPage:
    width: float  # mm
    height: float
    glyphs: list[Glyph] = field(default_factory=list)
    lines: list[tuple[float, float, float, float, float]] = field(default_factory=list)
    images: list[tuple[tuple[float, float, float, float], bytes]] = field(default_factory=list)


def read_ofd(data: bytes, source: SourceInfo, options: IngestOptions) -> Document:
    """Read an OFD file. Raises ``CorruptFileError`` for a broken package."""
    check_zip_expansion(data, options)
    pages, title = read_pages(data, options)
    if not pages:
        raise NoPagesError(f"{source.filename or 'the OFD file'} has no pages")
    from service.ingest.pdf import read_pdf

    doc = read_pdf(draw_pdf(pages), source, options)
    if title:
        doc.metadata["title"] = title
    if not doc.text.strip():
        raise EmptyFileError(f"{source.filename or 'the OFD file'} holds no text")
    return doc


# --- the package ---------------------------------------------------------------------------


class _Package:
    def __init__(self, data: bytes) -> None:
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self.names = {n.lstrip("/"): n for n in self.zip.namelist()}
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise CorruptFileError(f"not a readable OFD package: {exc}") from exc

    def xml(self, path: str) -> etree._Element:
        name = self.names.get(posixpath.normpath(path).lstrip("/"))
        if name is None:
            raise CorruptFileError(f"the OFD package lacks {path}")
        info = self.zip.getinfo(name)
        if info.file_size > MAX_PART:
            raise FileTooLargeError(f"{path}: {info.file_size} bytes", size=info.file_size)
        try:
            return etree.fromstring(self.zip.read(name), _PARSER)
        except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError, ValueError) as exc:
            raise CorruptFileError(f"{path}: {exc}") from exc

    def raw(self, path: str) -> bytes | None:
        name = self.names.get(posixpath.normpath(path).lstrip("/"))
        if name is None or self.zip.getinfo(name).file_size > MAX_PART:
            return None
        try:
            return self.zip.read(name)
        except (zipfile.BadZipFile, OSError, ValueError):
            return None


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _child(el: etree._Element, *names: str) -> etree._Element | None:
    for name in names:
        found = next((c for c in el if _local(c) == name), None)
        if found is None:
            return None
        el = found
    return el


def _children(el: etree._Element | None, name: str) -> list[etree._Element]:
    return [] if el is None else [c for c in el if _local(c) == name]


def _numbers(text: str | None) -> list[float]:
    return [float(n) for n in _NUMBER.findall(text or "")]


def read_pages(data: bytes, options: IngestOptions) -> tuple[list[OfdPage], str | None]:
    """Every page's glyphs, rules and pictures (the first document of the package)."""
    package = _Package(data)
    if any(n.rsplit("/", 1)[-1].lower() == "encryptions.xml" for n in package.names):
        raise EncryptedFileError("an encrypted OFD file")
    root = package.xml("OFD.xml")
    body = _child(root, "DocBody")
    doc_root = _child(body, "DocRoot") if body is not None else None
    if doc_root is None or not (doc_root.text or "").strip():
        raise CorruptFileError("OFD.xml names no document (DocBody/DocRoot)")
    title_el = _child(body, "DocInfo", "Title")
    title = (title_el.text or "").strip() if title_el is not None else None
    doc_path = doc_root.text.strip().lstrip("/")
    base = posixpath.dirname(doc_path)
    document = package.xml(doc_path)
    common = _child(document, "CommonData")
    area = _numbers(_text(_child(common, "PageArea", "PhysicalBox"))) if common is not None else []
    default_size = (area[2], area[3]) if len(area) == 4 else (210.0, 297.0)
    media = _media(package, base, common)
    templates = {
        t.get("ID"): t.get("BaseLoc", "") for t in _children(common, "TemplatePage") if t.get("ID")
    }
    page_refs = _children(_child(document, "Pages"), "Page")
    if len(page_refs) > options.limits.max_pages:
        raise TooManyPagesError(
            f"{len(page_refs)} pages > {options.limits.max_pages}",
            pages=len(page_refs),
            limit=options.limits.max_pages,
        )
    pages = []
    for ref in page_refs:
        content = package.xml(posixpath.join(base, ref.get("BaseLoc", "")))
        box = _numbers(_text(_child(content, "Area", "PhysicalBox")))
        page = OfdPage(*((box[2], box[3]) if len(box) == 4 else default_size))
        for template in _children(content, "Template"):
            loc = templates.get(template.get("TemplateID"))
            if loc:
                _read_layers(package.xml(posixpath.join(base, loc)), page, media)
        _read_layers(content, page, media)
        pages.append(page)
    return pages, title or None


def _text(el: etree._Element | None) -> str | None:
    return None if el is None else el.text


def _media(package: _Package, base: str, common: etree._Element | None) -> dict[str, bytes]:
    """Picture files by resource id, from the public and document resources."""
    out: dict[str, bytes] = {}
    if common is None:
        return out
    for kind in ("PublicRes", "DocumentRes"):
        for res_ref in _children(common, kind):
            res_path = posixpath.join(base, (res_ref.text or "").strip())
            try:
                res = package.xml(res_path)
            except CorruptFileError:
                continue
            res_base = posixpath.join(posixpath.dirname(res_path), res.get("BaseLoc", ""))
            for item in _children(_child(res, "MultiMedias"), "MultiMedia"):
                file_el = _child(item, "MediaFile")
                if file_el is None or not item.get("ID"):
                    continue
                blob = package.raw(posixpath.join(res_base, (file_el.text or "").strip()))
                if blob:
                    out[item.get("ID")] = blob
    return out


# --- page content --------------------------------------------------------------------------


def _read_layers(content: etree._Element, page: OfdPage, media: dict[str, bytes]) -> None:
    for layer in _children(_child(content, "Content"), "Layer"):
        _read_block(layer, page, media, (0.0, 0.0))


def _read_block(
    block: etree._Element, page: OfdPage, media: dict[str, bytes], offset: tuple[float, float]
) -> None:
    for el in block:
        name = _local(el)
        box = _numbers(el.get("Boundary"))
        origin = (offset[0] + box[0], offset[1] + box[1]) if len(box) == 4 else offset
        if name == "TextObject":
            _text_object(el, origin, page)
        elif name == "PathObject":
            _path_object(el, origin, page)
        elif name == "ImageObject" and len(box) == 4 and el.get("ResourceID") in media:
            rect = (origin[0], origin[1], origin[0] + box[2], origin[1] + box[3])
            page.images.append((rect, media[el.get("ResourceID")]))
        elif name == "PageBlock":
            _read_block(el, page, media, offset)


def _ctm(el: etree._Element) -> tuple[float, ...]:
    ctm = _numbers(el.get("CTM"))
    return tuple(ctm) if len(ctm) == 6 else (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def expand_deltas(text: str | None) -> list[float]:
    """``DeltaX``/``DeltaY`` with ``g N advance`` runs expanded."""
    tokens = (text or "").split()
    out: list[float] = []
    i = 0
    while i < len(tokens):
        if tokens[i] == "g" and i + 2 < len(tokens):
            with contextlib.suppress(ValueError):
                out.extend([float(tokens[i + 2])] * min(int(float(tokens[i + 1])), 100_000))
            i += 3
            continue
        with contextlib.suppress(ValueError):
            out.append(float(tokens[i]))
        i += 1
    return out


def _text_object(el: etree._Element, origin: tuple[float, float], page: OfdPage) -> None:
    a, b, c, d, e, f = _ctm(el)
    size = float(el.get("Size") or 3.5) * (abs(d) if el.get("CTM") else 1.0)
    x = y = 0.0
    for code in _children(el, "TextCode"):
        code_id = len(page.glyphs)  # unique per TextCode: where its glyphs start
        text = code.text or ""
        x = float(code.get("X", x))
        y = float(code.get("Y", y))
        dx, dy = expand_deltas(code.get("DeltaX")), expand_deltas(code.get("DeltaY"))
        cx, cy = x, y
        for i, ch in enumerate(text):
            px, py = a * cx + c * cy + e, b * cx + d * cy + f
            page.glyphs.append(Glyph(ch, origin[0] + px, origin[1] + py, size, code_id))
            cx += dx[i] if i < len(dx) else (dx[-1] if dx else size)
            cy += dy[i] if i < len(dy) else 0.0


def _path_object(el: etree._Element, origin: tuple[float, float], page: OfdPage) -> None:
    """Straight segments of ``AbbreviatedData`` (curves are reduced to their end points:
    table rules are straight)."""
    if el.get("Stroke", "true") == "false" and el.get("Fill", "false") == "false":
        return
    a, b, c, d, e, f = _ctm(el)
    width = float(el.get("LineWidth") or 0.353)
    tokens = (_text(_child(el, "AbbreviatedData")) or "").split()
    start = current = None
    i = 0
    arity = {"M": 2, "L": 2, "Q": 4, "B": 6, "A": 7, "S": 2, "C": 0}

    def at(x: float, y: float) -> tuple[float, float]:
        return origin[0] + a * x + c * y + e, origin[1] + b * x + d * y + f

    while i < len(tokens):
        op = tokens[i]
        n = arity.get(op)
        if n is None:
            i += 1
            continue
        args = _numbers(" ".join(tokens[i + 1 : i + 1 + n]))
        i += 1 + n
        if op == "C":
            if current and start and current != start:
                page.lines.append((*current, *start, width))
            current = start
            continue
        if len(args) < 2:
            continue
        point = at(args[-2], args[-1])
        if op in ("M", "S"):
            start = current = point
        elif current is not None:
            page.lines.append((*current, *point, width))
            current = point


# --- drawing for the layout step -----------------------------------------------------------


def draw_pdf(pages: list[OfdPage]) -> bytes:
    """The pages as a PDF: each glyph at its place (runs whose advances match the font's
    drawn as one piece), rules as lines, pictures at their boxes."""
    import pymupdf

    font = pymupdf.Font("china-s")
    pdf = pymupdf.open()
    for page in pages:
        out = pdf.new_page(width=page.width * PT, height=page.height * PT)
        if page.lines:  # first: it sets the page's content stream
            _draw_rules(pdf, out, page.lines)
        for rect, blob in page.images:
            try:
                out.insert_image(pymupdf.Rect(*(v * PT for v in rect)), stream=blob)
            except (ValueError, RuntimeError):
                continue  # a picture MuPDF cannot decode holds no text we could read
        _draw_glyphs(out, page.glyphs, font)
    data = pdf.tobytes(garbage=0, deflate=False)  # in memory only: compressing costs time
    pdf.close()
    return data


# A glyph whose advance in the file is at most this many times its width in the drawing font
# is stretched to fill it (another font's metrics: SimSun sets '.' on half an em, the
# drawing font on a quarter); a wider advance is a real gap and stays one.
_MAX_STRETCH = 2.2


def _draw_rules(pdf: object, out: object, lines: list) -> None:
    """All rules as one content stream of ``m``/``l``/``S`` operators (PDF space: origin
    bottom-left): PyMuPDF's Shape costs about half a millisecond a line."""
    height = out.rect.height  # type: ignore[attr-defined]
    ops = ["q 0 0 0 RG"]
    width = None
    i = 0
    while i < len(lines):
        w = lines[i][4]
        if w != width:
            ops.append(f"{max(w * PT, 0.3):.2f} w")
            width = w
        box = _rectangle(lines[i : i + 4])
        if box is not None:  # a cell's outline: one 're', as the table finder likes it
            x0, y0, x1, y1 = (v * PT for v in box)
            ops.append(f"{x0:.2f} {height - y1:.2f} {x1 - x0:.2f} {y1 - y0:.2f} re S")
            i += 4
            continue
        x0, y0, x1, y1, _ = lines[i]
        ops.append(
            f"{x0 * PT:.2f} {height - y0 * PT:.2f} m {x1 * PT:.2f} {height - y1 * PT:.2f} l S"
        )
        i += 1
    ops.append("Q")
    xref = pdf.get_new_xref()  # type: ignore[attr-defined]
    pdf.update_object(xref, "<<>>")  # type: ignore[attr-defined]
    pdf.update_stream(xref, "\n".join(ops).encode())  # type: ignore[attr-defined]
    out.set_contents(xref)  # type: ignore[attr-defined]


def _rectangle(segments: list) -> tuple[float, float, float, float] | None:
    """The box of four segments that go round an axis-aligned rectangle, else None."""
    if len(segments) < 4:
        return None
    points = [(x0, y0) for x0, y0, *_ in segments]
    ends = [(x1, y1) for _, _, x1, y1, _ in segments]
    closed = all(ends[k] == points[(k + 1) % 4] for k in range(4))
    axis = all(x0 == x1 or y0 == y1 for x0, y0, x1, y1, _ in segments)
    if not (closed and axis and len({s[4] for s in segments}) == 1):
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _draw_glyphs(out: object, glyphs: list[Glyph], font: object) -> None:
    """Each glyph at its place, stretched horizontally to its advance so that no gap the
    drawing font's narrower glyph leaves reads as a space. Runs of glyphs with the same
    stretch are written as one piece, with that horizontal scale; runs go into one writer
    until the stretch changes (each write costs milliseconds), so the content stream keeps
    the file's order (text extraction joins a line's pieces in that order)."""
    em: dict[str, float] = {}  # each character's advance at size 1

    def natural(glyph: Glyph) -> float:
        if glyph.text not in em:
            em[glyph.text] = font.text_length(glyph.text, fontsize=1) or 0.5  # type: ignore[attr-defined]
        return em[glyph.text] * glyph.size

    pen = _Pen(out, font)
    run: list[Glyph] = []
    run_scale = 1.0
    for i, glyph in enumerate(glyphs):
        nxt = glyphs[i + 1] if i + 1 < len(glyphs) else None
        scale = 1.0
        if nxt is not None and nxt.code == glyph.code and nxt.x > glyph.x:
            scale = _stretch((nxt.x - glyph.x) / natural(glyph))
        if run and (scale != run_scale or not _follows(run[-1], glyph, natural(run[-1]) * scale)):
            pen.write(run, run_scale)
            run = []
        if not run:
            run_scale = scale
        run.append(glyph)
    if run:
        pen.write(run, run_scale)
    pen.flush()


def _stretch(ratio: float) -> float:
    """The horizontal scale that makes a glyph fill its advance: none within 15 % (no
    false space comes of that), none past ``_MAX_STRETCH`` (a real gap), else in steps of
    0.05 so that neighbours share a writer."""
    if 0.85 <= ratio <= 1.15 or ratio > _MAX_STRETCH:
        return 1.0
    return round(max(ratio, 0.3) * 20) / 20


def _follows(prev: Glyph, glyph: Glyph, advance: float) -> bool:
    return (
        abs(glyph.y - prev.y) < 0.01
        and abs(glyph.size - prev.size) < 0.01
        and abs(glyph.x - prev.x - advance) < 0.02 * prev.size
    )


class _Pen:
    """One TextWriter at a time, written out when the horizontal scale changes."""

    def __init__(self, out: object, font: object) -> None:
        self.out, self.font = out, font
        self.writer: object | None = None
        self.scale = 1.0

    def write(self, run: list[Glyph], scale: float) -> None:
        import pymupdf

        if self.writer is not None and scale != self.scale:
            self.flush()
        if self.writer is None:
            self.writer, self.scale = pymupdf.TextWriter(self.out.rect), scale  # type: ignore[attr-defined]
        first = run[0]
        self.writer.append(  # type: ignore[attr-defined]
            (first.x * PT / scale, first.y * PT),
            "".join(g.text for g in run),
            font=self.font,
            fontsize=first.size * PT,
        )

    def flush(self) -> None:
        import pymupdf

        if self.writer is None:
            return
        scale = self.scale
        morph = None if scale == 1.0 else (pymupdf.Point(0, 0), pymupdf.Matrix(scale, 1))
        self.writer.write_text(self.out, morph=morph)  # type: ignore[attr-defined]
        self.writer = None
