"""Make a text PDF look scanned: page images with skew, noise and blur, as an image-only
PDF (no text layer) or as one PNG per page.

Owns the degradation and its seeding: page ``n`` of seed ``s`` always gets the same skew
and the same noise. Knows nothing of specs; it starts from rendered PDF bytes.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import numpy as np
import pymupdf
from PIL import Image, ImageFilter

from service.synth.pdf import FIXED_DATE


@dataclass(frozen=True)
class ScanOptions:
    """How a page is "scanned". The defaults are a clean office scanner, slightly crooked."""

    dpi: int = 200
    skew_min: float = 0.3  # degrees; the sign is drawn at random too
    skew_max: float = 1.2
    noise: float = 6.0  # standard deviation of Gaussian noise, grey levels
    blur: float = 0.5  # Gaussian blur radius, pixels
    paper: int = 246  # grey level of the paper (a scan is never pure white)
    jpeg_quality: int = 75

    def clean(self) -> ScanOptions:
        """No skew, noise or blur: a page image as a screenshot would give it."""
        return ScanOptions(
            dpi=self.dpi,
            skew_min=0.0,
            skew_max=0.0,
            noise=0.0,
            blur=0.0,
            paper=255,
            jpeg_quality=self.jpeg_quality,
        )


def _page_seed(seed: int, page_number: int) -> int:
    return seed * 10_007 + page_number


def skew_angle(seed: int, page_number: int, options: ScanOptions) -> float:
    """The skew in degrees given to page ``page_number`` (1-based) of a scan of ``seed``."""
    rng = random.Random(_page_seed(seed, page_number))
    angle = rng.uniform(options.skew_min, options.skew_max)
    return angle if rng.random() < 0.5 else -angle


def degrade_page(page: pymupdf.Page, seed: int, options: ScanOptions) -> Image.Image:
    """The page as a greyscale scan image."""
    pix = page.get_pixmap(dpi=options.dpi, colorspace=pymupdf.csGRAY, alpha=False)
    img = Image.frombytes("L", (pix.width, pix.height), pix.samples)
    number = page.number + 1 if page.number is not None else 1
    # paper tone first, so the corners uncovered by the rotation get the same grey
    levels = np.asarray(img, dtype=np.float32) * (options.paper / 255.0)
    img = Image.fromarray(levels.astype(np.uint8))
    angle = skew_angle(seed, number, options)
    if angle:
        img = img.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=options.paper)
    if options.blur > 0:
        img = img.filter(ImageFilter.GaussianBlur(options.blur))
    if options.noise > 0:
        rng = np.random.default_rng(_page_seed(seed, number))
        arr = np.asarray(img, dtype=np.float32) + rng.normal(
            0.0, options.noise, (img.height, img.width)
        )
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    return img


def _jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def _numbers(src: pymupdf.Document, pages: list[int] | None) -> list[int]:
    """The 1-based pages to render: all by default; a page the document lacks is an error."""
    if not pages:
        return list(range(1, src.page_count + 1))
    bad = [n for n in pages if not 1 <= n <= src.page_count]
    if bad:
        raise ValueError(f"pages {bad} not in a {src.page_count}-page document")
    return list(pages)


def render_scan(
    pdf: bytes, seed: int = 0, options: ScanOptions | None = None, pages: list[int] | None = None
) -> bytes:
    """An image-only PDF of ``pdf`` (optionally only the 1-based ``pages``), same page sizes."""
    opts = options or ScanOptions()
    src = pymupdf.open(stream=pdf, filetype="pdf")
    out = pymupdf.open()
    for n in _numbers(src, pages):
        page = src[n - 1]
        image = _jpeg(degrade_page(page, seed, opts), opts.jpeg_quality)
        target = out.new_page(width=page.rect.width, height=page.rect.height)
        # fill the page exactly: the pixel grid rounds, and a kept aspect ratio would shift it
        target.insert_image(target.rect, stream=image, keep_proportion=False)
    title = src.metadata.get("title", "") if src.metadata else ""
    out.set_metadata(
        {
            "title": title,
            "creator": "jixiao synth (scan)",
            "producer": "jixiao synth",
            "creationDate": FIXED_DATE,
            "modDate": FIXED_DATE,
        }
    )
    data = out.tobytes(garbage=4, deflate=True, no_new_id=True)
    src.close()
    out.close()
    return data


def render_png_pages(
    pdf: bytes, seed: int = 0, options: ScanOptions | None = None, pages: list[int] | None = None
) -> list[bytes]:
    """One PNG per page (what a phone photo or a scanner's image export would give)."""
    opts = options or ScanOptions()
    src = pymupdf.open(stream=pdf, filetype="pdf")
    out: list[bytes] = []
    for n in _numbers(src, pages):
        buf = io.BytesIO()
        degrade_page(src[n - 1], seed, opts).save(buf, format="PNG", dpi=(opts.dpi, opts.dpi))
        out.append(buf.getvalue())
    src.close()
    return out
