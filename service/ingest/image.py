"""Image reader: PNG, JPEG and TIFF (one page per TIFF frame) through OCR.

Owns decoding with Pillow under the pixel limit — the size is read from the header and
checked *before* any pixel is decoded, so a decompression bomb costs nothing — EXIF
orientation (phone photos), colour modes, and writing each page through the builder.
Page size and boxes are in the image's pixels. The OCR itself is ``service.ingest.ocr``.
Must not touch the database or the web.
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from collections.abc import Iterator

import numpy as np
from PIL import Image, ImageOps

from service.document import Document, DocumentBuilder, SourceInfo, TextSource
from service.errors import CorruptFileError, ImageTooLargeError, TooManyPagesError
from service.ingest.ocr import emit_ocr_page, ocr_image
from service.ingest.reader import IngestOptions

_FORMATS = ["PNG", "JPEG", "TIFF"]
# What Pillow raises on damaged data: truncated streams, broken chunks, bad headers.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error)


def read_image(data: bytes, source: SourceInfo, options: IngestOptions) -> Document:
    """OCR every page (frame) of an image file into a ``Document``."""
    builder = DocumentBuilder(source)
    for pixels in _pages(data, options):
        page = ocr_image(pixels, options.ocr)
        builder.start_page(
            width=page.width,
            height=page.height,
            text_source=TextSource.ocr,
            ocr_confidence=page.confidence,
        )
        if page.angle:
            builder.warn(f"page {builder.current_page}: deskewed by {page.angle:+.2f}°")
        emit_ocr_page(builder, page, scale=1.0)
        builder.end_page()
    return builder.build()


def _pages(data: bytes, options: IngestOptions) -> Iterator[np.ndarray]:
    """Decoded frames as BGR or gray arrays.

    Every frame's size is checked (headers only) before the first pixel is decoded, so a
    bomb hidden in page 7 of a TIFF is refused before page 1 is OCR'd.
    """
    limits = options.limits
    image = _open(data, limits.max_image_pixels)
    with image:
        try:
            n_frames = getattr(image, "n_frames", 1)
            if n_frames > limits.max_pages:
                raise TooManyPagesError(
                    f"{n_frames} pages > {limits.max_pages}", pages=n_frames, limit=limits.max_pages
                )
            for index in range(1, n_frames):
                image.seek(index)
                _check_pixels(image.size, limits.max_image_pixels)
        except _DECODE_ERRORS as exc:
            raise CorruptFileError(f"cannot read the image's pages: {exc}") from exc
        for index in range(n_frames):
            try:
                if n_frames > 1:
                    image.seek(index)
                pixels = _to_array(image)
            except _DECODE_ERRORS as exc:
                raise CorruptFileError(f"image page {index + 1}: {exc}") from exc
            yield pixels


def _open(data: bytes, max_pixels: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb guard warns above its default limit; ours is the one that
            # counts (checked next) and a warning must not reach the caller.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=_FORMATS)
    except Image.DecompressionBombError as exc:
        raise ImageTooLargeError(str(exc), limit=max_pixels) from exc
    except _DECODE_ERRORS as exc:
        raise CorruptFileError(f"cannot read the image header: {exc}") from exc
    _check_pixels(image.size, max_pixels)
    return image


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise CorruptFileError(f"image size {width}x{height}")
    if width * height > max_pixels:
        raise ImageTooLargeError(
            f"{width}x{height} = {width * height} pixels > {max_pixels}",
            width=width,
            height=height,
            limit=max_pixels,
        )


def _to_array(frame: Image.Image) -> np.ndarray:
    """Decode one frame upright: BGR uint8 for colour, 2-D uint8 for gray and bilevel."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        frame.load()  # decode now, so damage surfaces here as a decode error
        upright = ImageOps.exif_transpose(frame)
    mode = upright.mode
    if mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        # 16-bit and float scans: stretch to 8 bits.
        values = np.asarray(upright, dtype=np.float64)
        lo, hi = float(values.min()), float(values.max())
        scaled = (values - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(values)
        return scaled.astype(np.uint8)
    if mode in ("1", "L"):
        return np.asarray(upright.convert("L"))
    if "A" in mode or "transparency" in upright.info:
        # Transparent areas read as white paper, not black.
        rgba = upright.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        upright = Image.alpha_composite(paper, rgba)
    rgb = np.asarray(upright.convert("RGB"))
    return np.ascontiguousarray(rgb[:, :, ::-1])
