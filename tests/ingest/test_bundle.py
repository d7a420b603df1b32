"""A report in several files: packing, unpacking with limits, merging, checks across files."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest

from service.config import Limits
from service.document import Document, SourceFormat, SourceInfo, Span
from service.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedFileError,
    FileTooLargeError,
    TooManyPagesError,
    UnsupportedFormatError,
)
from service.extract.pipeline import ExtractOptions, extract
from service.ingest import IngestOptions, read_document
from service.ingest.bundle import bundle_members, is_bundle, merge_documents, pack_bundle
from service.ingest.sniff import sniff
from service.synth.render import render
from service.synth.reports import make_report

REPORT = """某县农业农村局2023年度部门整体支出绩效自评报告

一、部门基本情况
某县农业农村局主要职能是农业发展。
二、部门整体支出情况
2023年度部门支出总额500.00万元，其中基本支出300.00万元，项目支出200.00万元。
三公经费支出合计3.50万元，其中公务接待费1.50万元，公务用车运行维护费2.00万元。
三、绩效自评结论
经自评，本部门2023年度整体支出绩效自评得分95分，等级为优。
"""

SCORES = [
    ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
    ["产出指标", "数量指标", "培训农民人数", "≥500人", "520人", "20", "20"],
    ["效益指标", "社会效益指标", "农民收入增长", "≥5%", "6%", "30", "28"],
    ["满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "93%", "50", "44"],
    ["总分", "", "", "", "", "100", "92"],
]
BASIC_DATA = [
    ["经费控制情况(万元)", "2022年决算数", "2023年预算数", "2023年决算数"],
    ["支出总额", "480.00", "510.00", "500.00"],
    ["三公经费", "4.10", "4.00", "3.80"],
    ["公务接待费", "2.10", "2.00", "1.80"],
]


def _tables_docx() -> bytes:
    """The attachments: the 自评表 (总分 92) and the 基础数据表 (三公 3.80, 接待 1.80)."""
    d = docx.Document()
    for title, rows in (("附件1:部门整体支出绩效自评表", SCORES), ("附件2:基础数据表", BASIC_DATA)):
        d.add_paragraph(title)
        table = d.add_table(rows=len(rows), cols=len(rows[0]))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _source(data: bytes = b"x") -> SourceInfo:
    return SourceInfo(
        format=SourceFormat.bundle, media_type="application/zip", sha256="0" * 64, size=len(data)
    )


@pytest.fixture(scope="module")
def parts() -> list[tuple[str, bytes]]:
    return [("附件 自评表.docx", _tables_docx()), ("绩效自评报告.txt", REPORT.encode())]


# --- the merge ------------------------------------------------------------------------------


def test_merge_keeps_every_span_on_its_text_and_names_the_file(
    parts: list[tuple[str, bytes]],
) -> None:
    docs = [read_document(data, name) for name, data in reversed(parts)]
    merged = merge_documents(docs, _source())
    assert [f.filename for f in merged.files] == ["绩效自评报告.txt", "附件 自评表.docx"]
    assert [(p.number, p.file) for p in merged.pages] == [(1, 0), (2, 1)]
    assert [f.pages for f in merged.files] == [[1], [2]]
    for part, file in zip(docs, merged.files, strict=True):
        assert merged.slice(file.span) == part.text
        assert file.sha256 == part.source.sha256 and file.format is part.source.format
    # every line and cell still spans its own text, on its page, in its file
    first_lines = {merged.slice(line.span) for line in merged.lines if line.page == 1}
    assert "三、绩效自评结论" in first_lines
    cells = [c for t in merged.tables for c in t.cells]
    assert cells and all(merged.slice(c.span) == c.text and c.page == 2 for c in cells)
    assert [t.index for t in merged.tables] == [0, 1]
    assert merged.tables[1].grid() == BASIC_DATA
    total = merged.text.index("92", merged.files[1].span.start)
    assert merged.file_at(total).filename == "附件 自评表.docx"
    assert merged.file_at(merged.text.index("95分")).filename == "绩效自评报告.txt"
    assert merged.locate(Span(start=total, end=total + 2))[0].page == 2


def test_merge_prefixes_warnings_and_round_trips_as_json(parts: list[tuple[str, bytes]]) -> None:
    with_warning = read_document(parts[1][1], "a.txt").model_copy(update={"warnings": ["w"]})
    merged = merge_documents([with_warning, read_document(parts[0][1], "b.docx")], _source())
    assert merged.warnings == ["a.txt: w"]
    assert Document.model_validate_json(merged.model_dump_json()) == merged


# --- packing and unpacking ------------------------------------------------------------------


def test_pack_is_stable_and_sniffed_as_a_bundle(parts: list[tuple[str, bytes]]) -> None:
    packed = pack_bundle(parts)
    assert packed == pack_bundle(parts)  # same files, same sha256: deduplicated on upload
    assert sniff(packed, "upload.zip") is SourceFormat.bundle
    members = bundle_members(packed, Limits())
    # the report itself first, whatever the order it came in
    assert [m.name for m in members] == ["绩效自评报告.txt", "附件 自评表.docx"]
    assert members[1].data == parts[0][1]
    assert [
        m.name for m in bundle_members(pack_bundle([("a/b.txt", b"x"), (None, b"y")]), Limits())
    ] == [
        "b.txt",
        "file-2",
    ]


def _zip(entries: list[tuple[str, bytes]], **kwargs: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, **kwargs) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return buf.getvalue()


def test_gbk_names_from_windows_archivers_are_recovered() -> None:
    """Windows' Chinese archivers write GBK names without the UTF-8 flag."""
    placeholder, gbk = b"ABCDEFGHIJKL.txt", "绩效自评报告.txt".encode("gbk")
    assert len(placeholder) == len(gbk)
    data = _zip([("a.txt", b"x"), (placeholder.decode(), REPORT.encode())])
    data = data.replace(placeholder, gbk)  # names are outside the CRC
    members = bundle_members(data, Limits())
    assert [m.name for m in members] == ["绩效自评报告.txt", "a.txt"]


def test_archiver_clutter_is_left_out() -> None:
    data = _zip(
        [
            ("__MACOSX/._r.txt", b"\x00\x05"),
            (".DS_Store", b"\x00"),
            ("Thumbs.db", b"x"),
            ("r.txt", b"y"),
        ]
    )
    assert [m.name for m in bundle_members(data, Limits())] == ["r.txt"]


def test_zip_bomb_is_refused_by_inflated_size() -> None:
    bomb = _zip([("r.txt", b"0" * 5_000_000)])
    assert len(bomb) < 20_000
    with pytest.raises(FileTooLargeError, match="r.txt"):
        bundle_members(bomb, Limits(max_bytes=1_000_000))


def test_zip_whose_directory_lies_about_sizes_is_still_bounded() -> None:
    """The directory claims 10 bytes; inflating stops at the limit, not at the claim."""
    data = bytearray(_zip([("r.txt", b"0" * 3_000_000)]))
    real = (3_000_000).to_bytes(4, "little")
    assert data.count(real) == 2  # uncompressed size, in the local and the central header
    data = bytes(data).replace(real, (10).to_bytes(4, "little"))
    # zipfile stops at the claimed size and finds the CRC wrong: damaged, not 3 MB read
    with pytest.raises(CorruptFileError, match="r.txt"):
        bundle_members(data, Limits(max_bytes=1_000_000))


def test_too_many_files_encrypted_members_and_empty_archives() -> None:
    with pytest.raises(FileTooLargeError, match="21 files"):
        bundle_members(_zip([(f"{i}.txt", b"x") for i in range(21)]), Limits())
    encrypted = bytearray(_zip([("r.txt", b"x")]))
    for header in (b"PK\x03\x04", b"PK\x01\x02"):  # set the 'encrypted' flag bit
        at = encrypted.index(header) + (6 if header == b"PK\x03\x04" else 8)
        encrypted[at] |= 0x1
    with pytest.raises(EncryptedFileError, match="r.txt"):
        bundle_members(bytes(encrypted), Limits())
    with pytest.raises(EmptyFileError):
        bundle_members(_zip([("__MACOSX/x", b"x")]), Limits())


# --- reading a bundle -----------------------------------------------------------------------


def test_files_we_do_not_read_are_left_out_with_a_warning(parts: list[tuple[str, bytes]]) -> None:
    data = pack_bundle(
        [*parts, ("logo.bin", bytes(range(256)) * 4), ("inner.zip", _zip([("x.txt", b"x")]))]
    )
    document = read_document(data, "r.zip")
    assert [f.filename for f in document.files] == ["绩效自评报告.txt", "附件 自评表.docx"]
    assert "logo.bin: not read (unsupported_format)" in document.warnings
    assert "inner.zip: a ZIP inside the ZIP is not opened" in document.warnings
    with pytest.raises(UnsupportedFormatError):
        read_document(pack_bundle([("logo.bin", bytes(range(256)) * 4)]), "r.zip")


def test_a_bad_file_refuses_the_bundle_naming_it(parts: list[tuple[str, bytes]]) -> None:
    broken = pack_bundle([*parts, ("附件3.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 20)])
    with pytest.raises(CorruptFileError) as info:
        read_document(broken, "r.zip")
    assert info.value.detail and info.value.detail.startswith("附件3.pdf: ")
    assert info.value.context["member"] == "附件3.pdf"


def test_page_limit_counts_every_file(parts: list[tuple[str, bytes]]) -> None:
    with pytest.raises(TooManyPagesError):
        read_document(pack_bundle(parts), "r.zip", IngestOptions(limits=Limits(max_pages=1)))


def test_checks_run_across_the_files(parts: list[tuple[str, bytes]]) -> None:
    """The report's 总分 95 against the 自评表's 92, the text's 三公 against the 基础数据表's:
    contradictions neither file shows alone."""

    def conflicts(document: Document) -> dict[str, set[float]]:
        export = extract(document, ExtractOptions(extractor="rules")).export.model_dump(mode="json")
        return {
            f["paths"][0]: {item["value"]["value"] for item in f["items"]}
            for f in export["findings"]
            if f["kind"] == "conflict"
        }

    for name, data in parts:
        assert conflicts(read_document(data, name)) == {}
    found = conflicts(read_document(pack_bundle(parts), "report.zip"))
    assert found["report.total_score"] == {95, 92}
    assert found["three_public.total.actual"] == {3.5, 3.8}
    assert found["three_public.reception.actual"] == {1.5, 1.8}


def test_document_packages_are_no_bundles() -> None:
    """The parts of a .docx/.xlsx/.odt/OFD that could not be read as such are no bundle."""
    for part in (
        "[Content_Types].xml",
        "word/document2.xml",
        "xl/sheet.xml",
        "mimetype",
        "OFD.xml",
    ):
        assert not is_bundle(_zip([(part, b"<x/>"), ("readme.txt", b"x")]))
    assert is_bundle(_zip([("readme.txt", b"x")]))
    assert not is_bundle(b"PK\x03\x04" + b"\x00" * 100)


def test_cli_extract_bundle_reads_the_files_as_one_report(
    parts: list[tuple[str, bytes]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from service.cli import main

    paths = []
    for name, data in parts:
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    assert main(["extract", *paths, "--bundle", "--extractor", "rules"]) == 0
    export = json.loads(capsys.readouterr().out)
    assert export["document"]["format"] == "bundle"
    assert export["document"]["filename"] == "绩效自评报告 等2个文件.zip"
    assert export["document"]["pages"] == 2
    assert "report.total_score" in {f["paths"][0] for f in export["findings"]}


def _values(node: Any) -> Any:
    """An export's values, without where they stand (a bundle has more pages than its
    DOCX twin, and its cells have addresses)."""
    drop = {"source", "extractor", "timings", "document", "page", "locator", "boxes", "span"}
    if isinstance(node, dict):
        return {k: _values(v) for k, v in node.items() if k not in drop}
    if isinstance(node, list):
        return [_values(v) for v in node]
    return node


def test_synth_bundle_reads_like_its_docx_twin() -> None:
    """The evaluation set's bundle: the body as DOCX, the 附件 as XLSX; the same records."""
    spec = make_report(2, "hunan").spec
    bundle, docx_twin = render(spec, "bundle")[0], render(spec, "docx")[0]
    document = read_document(bundle, "r.bundle.zip")
    assert [(f.filename, f.format.value) for f in document.files] == [
        ("部门整体支出绩效自评报告.docx", "docx"),
        ("附件 绩效自评表及基础数据表.xlsx", "xlsx"),
    ]
    assert len(document.tables) == 2 and all(
        document.pages[t.pages[0] - 1].file == 1 for t in document.tables
    )

    def values(doc: Document) -> Any:
        return _values(
            extract(doc, ExtractOptions(extractor="rules")).export.model_dump(mode="json")
        )

    expected = values(read_document(docx_twin, "r.docx"))
    assert expected["indicators"] and expected["report"]["total_score"]
    assert values(document) == expected


def test_a_bundle_holding_a_pdf_near_its_start_is_a_bundle() -> None:
    """Files are stored uncompressed: a small first file puts a PDF's header within the
    ZIP's first kilobyte, where the PDF sniffer looks."""
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 4
    packed = pack_bundle([("a.txt", b"x"), ("b.pdf", pdf)])
    assert b"%PDF-" in packed[:1024]
    assert sniff(packed, "r.zip") is SourceFormat.bundle
