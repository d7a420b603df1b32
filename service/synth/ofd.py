"""Render a ``ReportSpec`` as OFD (GB/T 33190), our own minimal writer.

Owns the package layout a reader meets in the field: ``OFD.xml`` (DocBody → DocInfo,
DocRoot) → ``Doc_0/Document.xml`` (CommonData with the page area, the public resources and
the font list; Pages) → ``Doc_0/Pages/Page_N/Content.xml`` with one layer of
``TextObject`` elements (``Boundary``, ``Font``, ``Size``; a ``TextCode`` with ``X``/``Y``
of the first glyph's baseline inside the boundary and ``DeltaX`` advances, runs of equal
advances written as ``g N advance``) and ``PathObject`` rules (``AbbreviatedData`` in ``M``
/ ``L`` / ``C``). All lengths are millimetres. The layout is the text PDF's (``synth.pdf``):
the page is laid out there once and its glyphs and rules copied out, so an OFD and its PDF
twin hold the same page. Byte-stable for a given spec. Knows nothing of truth or readers.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape, quoteattr

import pymupdf

from service.synth.pdf import PdfStyle, render_pdf
from service.synth.spec import ReportSpec

NS = "http://www.ofdspec.org/2016"
MM = 25.4 / 72  # millimetres per PDF point
FONT_ID = 2  # the one font of the public resources; page object ids start after it


def render_ofd(spec: ReportSpec, style: PdfStyle | None = None) -> bytes:
    """The spec as an OFD package; the same spec always gives the same bytes."""
    pdf = render_pdf(spec, style or PdfStyle())
    return pdf_to_ofd(pdf, title=spec.title.replace("\n", ""))


def pdf_to_ofd(pdf: bytes, title: str = "") -> bytes:
    """Copy a text PDF's glyphs (with their positions) and rules into an OFD package."""
    source = pymupdf.open(stream=pdf, filetype="pdf")
    pages: list[str] = []
    width = height = 0.0
    next_id = FONT_ID + 1
    for page in source:
        width, height = page.rect.width * MM, page.rect.height * MM
        objects: list[str] = []
        for span in _spans(page):
            objects.append(_text_object(next_id, span))
            next_id += 1
        for drawing in page.get_drawings():
            path = _path_object(next_id, drawing, width, height)
            if path:
                objects.append(path)
                next_id += 1
        pages.append(_content(next_id, objects))
        next_id += 1
    source.close()
    files = {
        "OFD.xml": _ofd_xml(title),
        "Doc_0/Document.xml": _document_xml(len(pages), width, height, next_id),
        "Doc_0/PublicRes.xml": _public_res(),
    }
    for i, content in enumerate(pages):
        files[f"Doc_0/Pages/Page_{i}/Content.xml"] = content
    return _zip(files)


def _spans(page: pymupdf.Page) -> list[dict]:
    raw = page.get_text("rawdict", flags=pymupdf.TEXT_PRESERVE_WHITESPACE)
    out = []
    for block in raw["blocks"]:
        if block.get("type") != 0:
            continue
        for line in block["lines"]:
            out.extend(span for span in line["spans"] if span["chars"])
    return out


def _f(x: float) -> str:
    """A length in mm as OFD writes it: at most 3 decimals, no trailing zeros."""
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def delta_x(advances: list[float]) -> str:
    """``DeltaX`` with runs of equal advances as ``g N advance`` (GB/T 33190 §11.3)."""
    parts: list[str] = []
    i = 0
    while i < len(advances):
        j = i
        while j + 1 < len(advances) and _f(advances[j + 1]) == _f(advances[i]):
            j += 1
        run = j - i + 1
        parts.append(f"g {run} {_f(advances[i])}" if run > 2 else " ".join([_f(advances[i])] * run))
        i = j + 1
    return " ".join(parts)


def _text_object(object_id: int, span: dict) -> str:
    chars = span["chars"]
    x0, y0, x1, y1 = span["bbox"]
    origin_x, origin_y = chars[0]["origin"]
    advances = [
        (b["origin"][0] - a["origin"][0]) * MM for a, b in zip(chars, chars[1:], strict=False)
    ]
    text = "".join(c["c"] for c in chars)
    delta = f" DeltaX={quoteattr(delta_x(advances))}" if advances else ""
    return (
        f'<ofd:TextObject ID="{object_id}" Boundary="{_f(x0 * MM)} {_f(y0 * MM)} '
        f'{_f((x1 - x0) * MM)} {_f((y1 - y0) * MM)}" Font="{FONT_ID}" '
        f'Size="{_f(span["size"] * MM)}"><ofd:FillColor Value="0 0 0"/>'
        f'<ofd:TextCode X="{_f((origin_x - x0) * MM)}" Y="{_f((origin_y - y0) * MM)}"{delta}>'
        f"{escape(text)}</ofd:TextCode></ofd:TextObject>"
    )


def _path_object(object_id: int, drawing: dict, width: float, height: float) -> str | None:
    """Lines and rectangles of a drawing as one path, in page coordinates (the boundary is
    the whole page area, so no offset applies)."""
    ops: list[str] = []
    for item in drawing["items"]:
        if item[0] == "l":
            (a, b) = item[1], item[2]
            ops.append(f"M {_f(a.x * MM)} {_f(a.y * MM)} L {_f(b.x * MM)} {_f(b.y * MM)}")
        elif item[0] == "re":
            r = item[1]
            x0, y0, x1, y1 = (_f(v * MM) for v in (r.x0, r.y0, r.x1, r.y1))
            ops.append(f"M {x0} {y0} L {x1} {y0} L {x1} {y1} L {x0} {y1} C")
    if not ops:
        return None
    stroke = drawing.get("color") is not None
    fill = drawing.get("fill") is not None
    line = _f((drawing.get("width") or 0.5) * MM)
    return (
        f'<ofd:PathObject ID="{object_id}" Boundary="0 0 {_f(width)} {_f(height)}" '
        f'LineWidth="{line}" '
        f'Stroke="{str(stroke).lower()}" Fill="{str(fill).lower()}">'
        f"<ofd:AbbreviatedData>{' '.join(ops)}</ofd:AbbreviatedData></ofd:PathObject>"
    )


def _content(layer_id: int, objects: list[str]) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Page xmlns:ofd="{NS}"><ofd:Content>'
        f'<ofd:Layer ID="{layer_id}">{"".join(objects)}</ofd:Layer></ofd:Content></ofd:Page>'
    )


def _ofd_xml(title: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:OFD xmlns:ofd="{NS}" Version="1.0" '
        'DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>jixiao-synth</ofd:DocID>'
        f"<ofd:Title>{escape(title)}</ofd:Title><ofd:Creator>jixiao synth</ofd:Creator>"
        "<ofd:CreationDate>2025-01-01</ofd:CreationDate></ofd:DocInfo>"
        "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
    )


def _document_xml(n_pages: int, width: float, height: float, max_id: int) -> str:
    pages = "".join(
        f'<ofd:Page ID="{1000 + i}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(n_pages)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Document xmlns:ofd="{NS}">'
        f"<ofd:CommonData><ofd:MaxUnitID>{max_id + n_pages + 1000}</ofd:MaxUnitID>"
        f"<ofd:PageArea><ofd:PhysicalBox>0 0 {_f(width)} {_f(height)}</ofd:PhysicalBox>"
        "</ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>"
        f"<ofd:Pages>{pages}</ofd:Pages></ofd:Document>"
    )


def _public_res() -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Res xmlns:ofd="{NS}" BaseLoc="Res">'
        f'<ofd:Fonts><ofd:Font ID="{FONT_ID}" FontName="宋体" FamilyName="宋体"/></ofd:Fonts>'
        "</ofd:Res>"
    )


def _zip(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(entry, text.encode("utf-8"))
    return out.getvalue()
