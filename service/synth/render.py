"""One entry point for every output format of the generator, and the plain-text renderer.

Owns the list of formats and their file suffixes. ``render(spec, fmt, seed)`` returns the
files of one rendering (one file, or one PNG per page). Knows nothing of truth or seeds.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from service.synth.docx import render_docx
from service.synth.pdf import PdfStyle, render_pdf
from service.synth.scan import ScanOptions, render_png_pages, render_scan
from service.synth.spec import Heading, PageBreak, Paragraph, ReportSpec, TableBlock


class Format(StrEnum):
    pdf = "pdf"  # text-layer PDF
    scan = "scan"  # image-only PDF
    docx = "docx"
    txt = "txt"
    png = "png"  # one image per page
    html = "html"  # a government site's article page, GBK, with the site's chrome
    xlsx = "xlsx"  # a workbook: the body, then each 附件 on its own sheet
    xls = "xls"  # the same workbook as legacy Excel (xlwt: a test-only dependency)
    ofd = "ofd"  # OFD with the text PDF's layout
    doc = "doc"  # Word 97-2003, saved from the DOCX by LibreOffice
    bundle = "bundle"  # the body as DOCX and the 附件 as XLSX, in one ZIP (service.synth.bundle)


SUFFIX = {
    Format.pdf: ".pdf",
    Format.scan: ".scan.pdf",
    Format.docx: ".docx",
    Format.txt: ".txt",
    Format.png: ".png",
    Format.html: ".html",
    Format.xlsx: ".xlsx",
    Format.xls: ".xls",
    Format.ofd: ".ofd",
    Format.doc: ".doc",
    Format.bundle: ".bundle.zip",
}


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table_text(block: TableBlock) -> list[str]:
    """The rows of a table as a plain-text export gives them, by its style: tab-separated
    (ruled and borderless: a word processor's text export keeps the cells), padded with
    spaces to aligned columns (spaced) or glued with no separator (flattened, as text
    copied out of a PDF). A merged cell's text stands in its first position."""
    grid = [[c.replace("\n", " ") for c in row] for row in block.grid()]
    if block.style == "flattened":
        return ["".join(row) for row in grid]
    if block.style == "spaced":
        widths = [max(_display_width(row[i]) for row in grid) for i in range(block.n_cols)]
        return [
            "  ".join(
                c + " " * (w - _display_width(c)) for c, w in zip(row, widths, strict=True)
            ).rstrip()
            for row in grid
        ]
    return ["\t".join(row) for row in grid]


def render_text(spec: ReportSpec) -> bytes:
    """UTF-8 text as a plain-text export gives it: the running header (if any), a line per
    heading or paragraph, blank lines between, tables by ``table_text``."""
    out: list[str] = [spec.header, ""] if spec.header else []
    out += [spec.title, ""]
    for block in spec.blocks:
        if isinstance(block, Heading | Paragraph):
            out += [block.text, ""]
        elif isinstance(block, TableBlock):
            out += table_text(block)
            out.append("")
        elif isinstance(block, PageBreak):
            out.append("")
    return ("\n".join(out).rstrip("\n") + "\n").encode("utf-8")


@dataclass(frozen=True)
class RenderOptions:
    pdf: PdfStyle = PdfStyle()
    scan: ScanOptions = ScanOptions()
    png: ScanOptions = ScanOptions(dpi=150, noise=4.0)
    pages: tuple[int, ...] | None = None  # scan/png only these 1-based pages (tests)


def render(
    spec: ReportSpec, fmt: Format | str, seed: int = 0, options: RenderOptions | None = None
) -> list[bytes]:
    """The files of ``spec`` in format ``fmt``: one, or one per page for PNG."""
    fmt = Format(fmt)
    opts = options or RenderOptions()
    pages = list(opts.pages) if opts.pages else None
    if fmt is Format.txt:
        return [render_text(spec)]
    if fmt is Format.docx:
        return [render_docx(spec)]
    if fmt in (Format.doc, Format.bundle):
        from service.synth.bundle import render_bundle, render_doc

        return [render_doc(spec) if fmt is Format.doc else render_bundle(spec)]
    if fmt in (Format.html, Format.xlsx, Format.xls):
        return [_render_page_or_workbook(spec, fmt, seed)]
    pdf = render_pdf(spec, opts.pdf)
    if fmt is Format.pdf:
        return [pdf]
    if fmt is Format.ofd:
        from service.synth.ofd import pdf_to_ofd

        return [pdf_to_ofd(pdf, title=spec.title.replace("\n", ""))]
    if fmt is Format.scan:
        return [render_scan(pdf, seed, opts.scan, pages)]
    return render_png_pages(pdf, seed, opts.png, pages)


def _render_page_or_workbook(spec: ReportSpec, fmt: Format, seed: int) -> bytes:
    if fmt is Format.html:
        from service.synth.html import render_html

        return render_html(spec, seed)
    from service.synth.xlsx import render_xls, render_xlsx

    return render_xlsx(spec) if fmt is Format.xlsx else render_xls(spec)


def file_names(stem: str, fmt: Format | str, count: int) -> list[str]:
    """``stem.pdf``, ``stem.scan.pdf``… and ``stem.p01.png``… for page images."""
    fmt = Format(fmt)
    if fmt is Format.png:
        return [f"{stem}.p{i:02d}.png" for i in range(1, count + 1)]
    return [stem + SUFFIX[fmt]]
