import io
import zipfile

import pytest

from service.config import Limits
from service.document import SourceFormat
from service.errors import (
    CorruptFileError,
    EmptyFileError,
    FileTooLargeError,
    MislabelledFileError,
    UnsupportedFormatError,
)
from service.ingest import IngestOptions, read_document
from service.ingest.sniff import decode_text, sniff


def _zip(names: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in names:
            zf.writestr(name, "<x/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b"%PDF-1.7\n...", SourceFormat.pdf),
        (b"\x89PNG\r\n\x1a\n....", SourceFormat.png),
        (b"\xff\xd8\xff\xe0....", SourceFormat.jpeg),
        (b"II*\x00....", SourceFormat.tiff),
        (b"MM\x00*....", SourceFormat.tiff),
        ("部门整体支出绩效自评报告".encode(), SourceFormat.text),
        ("部门整体支出绩效自评报告".encode("gb18030"), SourceFormat.text),
        ("部门整体支出绩效自评报告".encode("utf-16"), SourceFormat.text),
    ],
)
def test_sniffs_by_content(data: bytes, fmt: SourceFormat) -> None:
    assert sniff(data) is fmt


def test_extension_does_not_decide() -> None:
    # a PDF named .txt is still a PDF; a PNG named .pdf is still a PNG
    assert sniff(b"%PDF-1.4 ...", "report.txt") is SourceFormat.pdf
    assert sniff(b"\x89PNG\r\n\x1a\n....", "report.pdf") is SourceFormat.png


def test_office_packages_are_told_apart_by_their_parts() -> None:
    assert sniff(_zip(["word/document.xml", "[Content_Types].xml"])) is SourceFormat.docx
    assert sniff(_zip(["xl/workbook.xml", "[Content_Types].xml"])) is SourceFormat.xlsx


@pytest.mark.parametrize("data", [b"", b"   \n\t ", b"\x00\x00\x00"])
def test_empty(data: bytes) -> None:
    with pytest.raises(EmptyFileError):
        sniff(data, "a.pdf")


def test_binary_garbage_named_pdf_is_mislabelled() -> None:
    with pytest.raises(MislabelledFileError) as info:
        sniff(bytes(range(256)) * 8, "report.pdf")
    assert "report.pdf" in info.value.message
    assert "不符" in info.value.message


def test_text_named_pdf_is_mislabelled() -> None:
    with pytest.raises(MislabelledFileError):
        sniff("这不是PDF".encode(), "report.pdf")


def test_binary_garbage_without_name_is_unsupported() -> None:
    with pytest.raises(UnsupportedFormatError):
        sniff(bytes(range(256)) * 8)


def test_ole_signature_over_nothing_is_corrupt() -> None:
    """Legacy Word files are read (tests/ingest/test_legacy_word.py); a bare header is not."""
    with pytest.raises(CorruptFileError, match="OLE"):
        sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)


def test_size_limit_checked_before_anything_else() -> None:
    options = IngestOptions(limits=Limits(max_bytes=10))
    with pytest.raises(FileTooLargeError) as info:
        read_document(b"%PDF-" + b"x" * 100, "big.pdf", options)
    assert info.value.to_dict()["code"] == "file_too_large"


def test_decode_text_refuses_binary() -> None:
    assert decode_text(bytes(range(32)) * 10) is None
    assert decode_text("１２３".encode()) == "１２３"


def test_truncated_docx_is_corrupt_not_unsupported() -> None:
    from service.errors import CorruptFileError

    whole = _zip(["[Content_Types].xml", "word/document.xml", "word/styles.xml"])
    with pytest.raises(CorruptFileError):
        sniff(whole[: len(whole) // 2], "report.docx")
    with pytest.raises(CorruptFileError):
        sniff(whole[: len(whole) // 2])
