"""The image reader: PNG, JPEG (EXIF orientation), multi-page TIFF, and bad images.

Images are small strips of rendered Chinese text made in code; only the tests marked
``ocr`` run the engine. Bad images are refused before anything is decoded or OCR'd.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pymupdf
import pytest
from PIL import Image

from eval import ocr_bench as bench
from service.config import Limits
from service.document import SourceFormat, TextSource
from service.errors import CorruptFileError, ImageTooLargeError, TooManyPagesError
from service.ingest import IngestOptions, image, read_document

LINE_1 = "2021年度一般公共预算的基本支出为1059.01万元"
LINE_2 = "其中人员经费847.72万元占基本支出80.04%"
LINE_3 = "公务接待费完成0.11万元,比上年减少0.84万元"


def _strip(*lines: str, dpi: int = 200) -> Image.Image:
    """A white strip with ``lines`` of 14 pt text, as a gray Pillow image."""
    pdf, _ = bench.new_page()
    page = pdf[0]
    for i, line in enumerate(lines):
        bench.put(page, 20, 20 + i * 26, line, 14)
    clip = pymupdf.Rect(0, 0, 360, 30 + 26 * len(lines))
    pix = page.get_pixmap(dpi=dpi, clip=clip, colorspace=pymupdf.csGRAY)
    return Image.frombytes("L", (pix.width, pix.height), pix.samples)


def _encode(img: Image.Image, fmt: str, **params) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **params)
    return buf.getvalue()


@pytest.fixture(scope="session")
def strip() -> Image.Image:
    return _strip(LINE_1, LINE_2)


def _text(doc) -> str:
    return bench.squeeze(doc.text)


# --- reading -------------------------------------------------------------------------------


@pytest.mark.ocr
def test_png_reads_with_pixel_boxes(strip):
    doc = read_document(_encode(strip.convert("RGB"), "PNG"), "scan.png")
    assert doc.source.format is SourceFormat.png
    (page,) = doc.pages
    assert (page.width, page.height) == strip.size
    assert page.text_source is TextSource.ocr
    assert 0.9 < page.ocr_confidence <= 1.0
    assert _text(doc) == LINE_1 + LINE_2
    first, second = doc.lines
    assert doc.slice(first.span) == LINE_1
    # 20 pt from the left, line tops at 20 and 46 pt: in pixels at 200 dpi.
    scale = 200 / 72
    assert first.bbox.x0 == pytest.approx(20 * scale, abs=12)
    assert first.bbox.y0 < 20 * scale + 14 * scale / 2 < first.bbox.y1
    assert second.bbox.y0 < 46 * scale + 14 * scale / 2 < second.bbox.y1
    assert all(0 <= v <= strip.width for v in (first.bbox.x0, first.bbox.x1))


@pytest.mark.ocr
def test_jpeg_photo_is_turned_upright_by_its_exif_orientation(strip):
    stored = strip.transpose(Image.Transpose.ROTATE_90)  # the camera held sideways
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    data = _encode(stored.convert("RGB"), "JPEG", quality=90, exif=exif)
    doc = read_document(data, "photo.jpg")
    (page,) = doc.pages
    assert (page.width, page.height) == strip.size  # upright: wider than tall
    assert _text(doc) == LINE_1 + LINE_2


@pytest.mark.ocr
def test_multipage_tiff_gives_one_page_per_frame(strip):
    second = _strip(LINE_3)
    buf = io.BytesIO()
    strip.save(buf, format="TIFF", save_all=True, append_images=[second], compression="tiff_lzw")
    doc = read_document(buf.getvalue(), "scan.tif")
    assert doc.source.format is SourceFormat.tiff
    assert [p.number for p in doc.pages] == [1, 2]
    assert bench.squeeze(doc.slice(doc.pages[0].span)) == LINE_1 + LINE_2
    assert bench.squeeze(doc.slice(doc.pages[1].span)) == LINE_3
    assert (doc.pages[1].width, doc.pages[1].height) == second.size
    assert doc.lines[-1].page == 2


# --- decoding without the engine ------------------------------------------------------------


def test_colour_modes_decode_to_what_the_engine_reads():
    rgba = Image.new("RGBA", (4, 3), (0, 0, 0, 0))  # fully transparent: paper, not ink
    assert image._to_array(rgba).tolist() == np.full((3, 4, 3), 255).tolist()
    red = image._to_array(Image.new("RGB", (2, 2), (255, 0, 0)))
    assert red[0, 0].tolist() == [0, 0, 255]  # BGR
    deep = Image.fromarray(np.array([[0, 1000], [2000, 4000]], dtype=np.uint16))
    assert image._to_array(deep).tolist() == [[0, 63], [127, 255]]
    assert image._to_array(Image.new("1", (3, 2), 1)).tolist() == [[255] * 3] * 2


# --- bad images ----------------------------------------------------------------------------


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height``: a few dozen bytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail the test if any pixel is decoded or any page OCR'd."""

    def refuse(*args, **kwargs):
        raise AssertionError("decoded an image that should have been refused")

    monkeypatch.setattr(image, "_to_array", refuse)
    monkeypatch.setattr(image, "ocr_image", refuse)


def test_decompression_bomb_is_refused_from_its_header(no_decoding):
    data = _png_header_only(100_000, 100_000)
    assert len(data) < 200
    with pytest.raises(ImageTooLargeError) as err:
        read_document(data, "bomb.png")
    assert err.value.code == "image_too_large"


def test_image_over_the_configured_limit_is_refused(no_decoding):
    blank = _encode(Image.new("L", (3000, 3000), 255), "PNG")  # 9 Mpx in a few KB
    assert len(blank) < 100_000
    options = IngestOptions(limits=Limits(max_image_pixels=4_000_000))
    with pytest.raises(ImageTooLargeError, match="3000x3000"):
        read_document(blank, "big.png", options)


def test_a_bomb_in_a_later_tiff_frame_is_refused_before_any_ocr(no_decoding):
    buf = io.BytesIO()
    small, big = Image.new("L", (100, 100), 255), Image.new("L", (2500, 2000), 255)
    small.save(buf, format="TIFF", save_all=True, append_images=[big], compression="tiff_lzw")
    options = IngestOptions(limits=Limits(max_image_pixels=1_000_000))
    with pytest.raises(ImageTooLargeError, match="2500x2000"):
        read_document(buf.getvalue(), "scan.tiff", options)


def test_too_many_tiff_frames(no_decoding):
    buf = io.BytesIO()
    frames = [Image.new("L", (50, 50), 255) for _ in range(3)]
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:])
    options = IngestOptions(limits=Limits(max_pages=2))
    with pytest.raises(TooManyPagesError):
        read_document(buf.getvalue(), "scan.tiff", options)


def test_truncated_png_is_corrupt(strip):
    data = _encode(strip, "PNG")
    with pytest.raises(CorruptFileError):
        read_document(data[: len(data) // 2], "scan.png")


def test_png_with_garbage_after_the_signature_is_corrupt():
    with pytest.raises(CorruptFileError):
        read_document(b"\x89PNG\r\n\x1a\n" + b"\x07" * 500, "scan.png")


def test_truncated_jpeg_is_corrupt(strip):
    data = _encode(strip, "JPEG")
    with pytest.raises(CorruptFileError):
        read_document(data[:400], "photo.jpg")
