"""The checks an upload passes before it is stored (no database)."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from service.config import Limits
from service.document import SourceFormat
from service.errors import (
    CorruptFileError,
    ImageTooLargeError,
    InputError,
    TooManyPagesError,
)
from service.jobs.intake import _safe_name, check_upload
from tests.api.conftest import make_pdf


def _png(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (width, height), 255).save(buf, format="PNG")
    return buf.getvalue()


def test_good_files_pass_with_their_page_count() -> None:
    limits = Limits()
    pdf = check_upload(make_pdf([["a"], ["b"], ["c"]]), "r.pdf", limits)
    assert (pdf.format, pdf.page_count, pdf.media_type) == (SourceFormat.pdf, 3, "application/pdf")
    png = check_upload(_png(20, 10), "scan.png", limits)
    assert (png.format, png.page_count) == (SourceFormat.png, 1)
    text = check_upload("部门: 某局\n".encode("gb18030"), None, limits)
    assert (text.format, text.page_count) == (SourceFormat.text, None)


def test_limits() -> None:
    with pytest.raises(TooManyPagesError):
        check_upload(make_pdf([["a"]] * 3), "r.pdf", Limits(max_pages=2))
    with pytest.raises(ImageTooLargeError):
        check_upload(_png(200, 200), "big.png", Limits(max_image_pixels=10_000))


def test_broken_docx_is_refused_at_upload() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<x/>")
        zf.writestr("word/document.xml", "<<< not xml")
    with pytest.raises(CorruptFileError):
        check_upload(buf.getvalue(), "r.docx", Limits())


def test_every_refusal_is_an_input_error() -> None:
    for data in (b"", b"%PDF-1.4 broken", b"\x89PNG\r\n\x1a\n", bytes(range(256))):
        with pytest.raises(InputError):
            check_upload(data, "x.bin", Limits())


def test_names_are_only_for_display() -> None:
    assert _safe_name("../../etc/passwd") == "passwd"
    assert _safe_name("C:\\Users\\报告.pdf") == "报告.pdf"
    assert _safe_name("a\x00b\nc.txt") == "abc.txt"
    assert _safe_name("") is None and _safe_name(None) is None
