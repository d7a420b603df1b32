"""The OFD reader on packages written here: hand-made XML (positions, DeltaX runs, CTM,
templates, rules) and the generator's OFD twin of a PDF; broken packages."""

from __future__ import annotations

import io
import zipfile

import pymupdf
import pytest

from service.config import Limits
from service.document import Document, SourceFormat
from service.errors import (
    CorruptFileError,
    EncryptedFileError,
    FileTooLargeError,
    NoPagesError,
    TooManyPagesError,
)
from service.ingest import IngestOptions, read_document
from service.ingest.ofd import PT, draw_pdf, expand_deltas, read_pages
from service.ingest.sniff import sniff
from service.synth.ofd import delta_x, render_ofd
from service.synth.render import render
from service.synth.reports import make_report

NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'
OFD_XML = (
    f"<ofd:OFD {NS} Version='1.0' DocType='OFD'><ofd:DocBody><ofd:DocInfo>"
    "<ofd:Title>绩效自评报告</ofd:Title></ofd:DocInfo>"
    "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
)


def _document(pages: int = 1, template: bool = True) -> str:
    refs = "".join(
        f"<ofd:Page ID='{10 + i}' BaseLoc='Pages/Page_{i}/Content.xml'/>" for i in range(pages)
    )
    tpl = "<ofd:TemplatePage ID='5' BaseLoc='Tpls/Tpl_0/Content.xml'/>" if template else ""
    return (
        f"<ofd:Document {NS}><ofd:CommonData><ofd:MaxUnitID>99</ofd:MaxUnitID>"
        "<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>"
        f"{tpl}</ofd:CommonData><ofd:Pages>{refs}</ofd:Pages></ofd:Document>"
    )


def _text(oid: int, x: float, y: float, text: str, delta: str, size: float = 4.0) -> str:
    return (
        f"<ofd:TextObject ID='{oid}' Boundary='{x} {y} 150 6' Font='2' Size='{size}'>"
        f"<ofd:TextCode X='0' Y='4' DeltaX='{delta}'>{text}</ofd:TextCode></ofd:TextObject>"
    )


def _rule(oid: int, path: str) -> str:
    return (
        f"<ofd:PathObject ID='{oid}' Boundary='20 100 100 30' LineWidth='0.25'>"
        f"<ofd:AbbreviatedData>{path}</ofd:AbbreviatedData></ofd:PathObject>"
    )


# a 2×2 ruled table at x 20..120 mm, y 100..130 mm (rules relative to the boundary)
_GRID = "M 0 0 L 100 0 M 0 15 L 100 15 M 0 30 L 100 30 M 0 0 L 0 30 M 50 0 L 50 30 M 100 0 L 100 30"
PAGE = (
    f"<ofd:Page {NS}><ofd:Template TemplateID='5'/><ofd:Content><ofd:Layer ID='1'>"
    + _text(20, 25, 40, "一、部门基本情况", "g 7 4")
    + _text(21, 25, 50, "支出总额1112.51万元。", "g 4 4 g 7 2.2 4 4 4")
    # a CTM that doubles the size: drawn at twice the advances
    + "<ofd:TextObject ID='22' Boundary='25 60 150 10' Font='2' Size='2' CTM='2 0 0 2 0 0'>"
    + "<ofd:TextCode X='0' Y='4' DeltaX='g 5 2'>预算执行率高</ofd:TextCode></ofd:TextObject>"
    + _rule(23, _GRID)
    + _text(24, 22, 102, "项目", "4")
    + _text(25, 72, 102, "决算数", "4 4")
    + _text(26, 22, 117, "基本支出", "g 3 4")
    + _text(27, 72, 117, "1059.01", "g 6 2.2")
    + "</ofd:Layer></ofd:Content></ofd:Page>"
)
TEMPLATE = (
    f"<ofd:Page {NS}><ofd:Content><ofd:Layer ID='2'>"
    + _text(30, 90, 285, "第1页", "4 2.2")
    + "</ofd:Layer></ofd:Content></ofd:Page>"
)


def _package(files: dict[str, str | bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in files.items():
            zf.writestr(name, body if isinstance(body, bytes) else body.encode("utf-8"))
    return out.getvalue()


def _ofd(**replace: str | bytes) -> bytes:
    files: dict[str, str | bytes] = {
        "OFD.xml": OFD_XML,
        "Doc_0/Document.xml": _document(),
        "Doc_0/Pages/Page_0/Content.xml": PAGE,
        "Doc_0/Tpls/Tpl_0/Content.xml": TEMPLATE,
    }
    files.update(replace)
    return _package({k: v for k, v in files.items() if v != ""})


@pytest.fixture(scope="module")
def hand_made() -> Document:
    return read_document(_ofd(), "report.ofd")


def test_an_ofd_package_is_sniffed_by_content(hand_made: Document) -> None:
    assert sniff(_ofd(), "report.zip") is SourceFormat.ofd
    assert hand_made.source.format is SourceFormat.ofd
    assert hand_made.metadata["title"] == "绩效自评报告"


def test_text_is_placed_where_the_file_puts_it(hand_made: Document) -> None:
    page = hand_made.pages[0]
    assert (page.width, page.height) == pytest.approx((210 * PT, 297 * PT), abs=0.01)
    heading = hand_made.text.index("一、部门基本情况")
    (where,) = hand_made.locate(next(ln.span for ln in hand_made.lines if ln.span.start == heading))
    assert where.bbox is not None
    assert where.bbox.x0 == pytest.approx(25 * PT, abs=1.0)
    assert where.bbox.x1 == pytest.approx((25 + 8 * 4) * PT, abs=2.0)  # 8 glyphs of 4 mm
    assert where.bbox.y0 < 44 * PT < where.bbox.y1  # the baseline, 4 mm down the boundary


def test_deltax_runs_ctm_and_the_template_page_are_read(hand_made: Document) -> None:
    assert "支出总额1112.51万元。" in hand_made.text
    assert "第1页" in hand_made.text  # the template page's text
    start = hand_made.text.index("预算执行率高")
    (where,) = hand_made.locate(next(ln.span for ln in hand_made.lines if ln.span.start == start))
    assert where.bbox is not None  # CTM 2×: six glyphs 4 mm apart, not 2 mm
    assert where.bbox.x1 - where.bbox.x0 == pytest.approx(6 * 4 * PT, abs=3.0)


def test_rules_make_a_table_with_cells_that_ground(hand_made: Document) -> None:
    (table,) = hand_made.tables
    assert table.grid() == [["项目", "决算数"], ["基本支出", "1059.01"]]
    cell = table.cell_at(1, 1)
    assert cell is not None and hand_made.slice(cell.span) == "1059.01"
    assert cell.bbox is not None and cell.bbox.x0 >= 70 * PT - 1 and cell.bbox.y0 >= 115 * PT - 2


def test_a_picture_is_drawn_where_its_image_object_stands() -> None:
    """A scanned OFD is pictures: they reach the PDF reader, whose OCR reads them."""
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(png, "PNG")
    res = (
        f"<ofd:Res {NS} BaseLoc='Res'><ofd:MultiMedias><ofd:MultiMedia ID='7' Type='Image'>"
        "<ofd:MediaFile>scan.png</ofd:MediaFile></ofd:MultiMedia></ofd:MultiMedias></ofd:Res>"
    )
    document = _document(template=False).replace(
        "</ofd:CommonData>", "<ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes></ofd:CommonData>"
    )
    page = (
        f"<ofd:Page {NS}><ofd:Content><ofd:Layer ID='1'>"
        "<ofd:ImageObject ID='8' Boundary='10 20 100 50' ResourceID='7' CTM='100 0 0 50 0 0'/>"
        "</ofd:Layer></ofd:Content></ofd:Page>"
    )
    data = _ofd(
        **{
            "Doc_0/Document.xml": document,
            "Doc_0/DocumentRes.xml": res,
            "Doc_0/Res/scan.png": png.getvalue(),
            "Doc_0/Pages/Page_0/Content.xml": page,
        }
    )
    pages, _ = read_pages(data, IngestOptions())
    ((rect, blob),) = pages[0].images
    assert rect == (10, 20, 110, 70) and blob == png.getvalue()
    drawn = pymupdf.open(stream=draw_pdf(pages), filetype="pdf")
    (info,) = drawn[0].get_image_info()
    assert info["bbox"] == pytest.approx((10 * PT, 20 * PT, 110 * PT, 70 * PT), abs=0.5)


def test_expand_deltas_reads_g_runs() -> None:
    assert expand_deltas("g 3 4 2.2 g 2 1") == [4, 4, 4, 2.2, 1, 1]
    assert expand_deltas("") == []
    assert delta_x([4, 4, 4, 2.2, 1, 1]) == "g 3 4 2.2 1 1"


def test_a_generated_ofd_reads_like_its_pdf_twin() -> None:
    report = make_report(4, "sichuan")
    ofd = read_document(render_ofd(report.spec), "report.ofd")
    pdf = read_document(render(report.spec, "pdf")[0], "report.pdf")
    assert ofd.text == pdf.text
    assert [t.grid() for t in ofd.tables] == [t.grid() for t in pdf.tables]
    for a, b in zip(ofd.lines, pdf.lines, strict=True):
        assert a.bbox is not None and b.bbox is not None
        assert abs(a.bbox.x0 - b.bbox.x0) < 1 and abs(a.bbox.y0 - b.bbox.y0) < 1


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("truncated", _ofd()[:300], CorruptFileError),
        (
            "no DocRoot",
            _ofd(**{"OFD.xml": f"<ofd:OFD {NS}><ofd:DocBody/></ofd:OFD>"}),
            CorruptFileError,
        ),
        ("broken XML", _ofd(**{"Doc_0/Document.xml": "<ofd:Document"}), CorruptFileError),
        ("missing page", _ofd(**{"Doc_0/Pages/Page_0/Content.xml": ""}), CorruptFileError),
        ("no pages", _ofd(**{"Doc_0/Document.xml": _document(pages=0)}), NoPagesError),
        ("encrypted", _ofd(**{"Doc_0/Encryptions.xml": "<Encryptions/>"}), EncryptedFileError),
    ],
)
def test_bad_packages_get_typed_errors(name: str, data: bytes, error: type) -> None:
    with pytest.raises(error):
        read_document(data, "report.ofd")


def test_page_and_size_limits_apply() -> None:
    many = _ofd(**{"Doc_0/Document.xml": _document(pages=5)})
    with pytest.raises(TooManyPagesError):
        read_document(many, "r.ofd", IngestOptions(limits=Limits(max_pages=3)))
    padded = _ofd(**{"Doc_0/Res/padding.xml": "<a>" + " " * 400_000 + "</a>"})
    with pytest.raises(FileTooLargeError, match="unpacks to"):
        read_document(padded, "r.ofd", IngestOptions(limits=Limits(max_bytes=len(padded) + 10)))


def test_entities_are_not_expanded() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "' + "x" * 1000 + '">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f"<ofd:OFD {NS}><ofd:DocBody><ofd:DocInfo><ofd:Title>&b;</ofd:Title></ofd:DocInfo>"
        "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
    )
    doc = read_document(_ofd(**{"OFD.xml": bomb}), "r.ofd")
    assert "x" * 1000 not in doc.metadata.get("title", "")
