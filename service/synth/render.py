"""One entry point for every output format of the generator, and the plain-text renderer.

Owns the list of formats and their file suffixes. ``render(spec, fmt, seed)`` returns the
files of one rendering (one file, or one PNG per page). Knows nothing of truth or seeds.
"""

from __future__ import annotations

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


SUFFIX = {
    Format.pdf: ".pdf",
    Format.scan: ".scan.pdf",
    Format.docx: ".docx",
    Format.txt: ".txt",
    Format.png: ".png",
}


def render_text(spec: ReportSpec) -> bytes:
    """UTF-8 text as a plain-text export gives it: a line per heading or paragraph, blank
    lines between, tables as tab-separated rows padded to the table width (a merged cell's
    text in its first position)."""
    out: list[str] = [spec.title, ""]
    for block in spec.blocks:
        if isinstance(block, Heading | Paragraph):
            out += [block.text, ""]
        elif isinstance(block, TableBlock):
            out += ["\t".join(c.replace("\n", " ") for c in row) for row in block.grid()]
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
    pdf = render_pdf(spec, opts.pdf)
    if fmt is Format.pdf:
        return [pdf]
    if fmt is Format.scan:
        return [render_scan(pdf, seed, opts.scan, pages)]
    return render_png_pages(pdf, seed, opts.png, pages)


def file_names(stem: str, fmt: Format | str, count: int) -> list[str]:
    """``stem.pdf``, ``stem.scan.pdf``… and ``stem.p01.png``… for page images."""
    fmt = Format(fmt)
    if fmt is Format.png:
        return [f"{stem}.p{i:02d}.png" for i in range(1, count + 1)]
    return [stem + SUFFIX[fmt]]
