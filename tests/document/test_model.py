from service.document import (
    PAGE_BREAK,
    BBox,
    CellDraft,
    Document,
    DocumentBuilder,
    SourceFormat,
    SourceInfo,
    Span,
    TextSource,
)


def _source() -> SourceInfo:
    return SourceInfo(
        format=SourceFormat.pdf, media_type="application/pdf", sha256="0" * 64, size=1
    )


def _two_page_doc() -> Document:
    b = DocumentBuilder(_source())
    b.start_page(width=595, height=842)
    b.add_line("基本支出为１０５９.０１万元", BBox(x0=50, y0=100, x1=250, y1=112))
    b.add_blank()
    b.add_line("其中人员经费847.72万元", BBox(x0=50, y0=120, x1=230, y1=132))
    b.start_page(width=595, height=842, text_source=TextSource.ocr, ocr_confidence=0.97)
    b.add_table(
        [
            CellDraft(0, 0, "一级指标", bbox=BBox(x0=50, y0=50, x1=100, y1=70)),
            CellDraft(0, 1, "三级指标", bbox=BBox(x0=100, y0=50, x1=200, y1=70)),
            CellDraft(1, 0, "产出指标", row_span=2, bbox=BBox(x0=50, y0=70, x1=100, y1=110)),
            CellDraft(1, 1, "涉污企业排查率\n≥95%", bbox=BBox(x0=100, y0=70, x1=200, y1=90)),
            CellDraft(2, 1, "信访案件办结率", bbox=BBox(x0=100, y0=90, x1=200, y1=110)),
        ],
        bbox=BBox(x0=50, y0=50, x1=200, y1=110),
    )
    b.add_line("总分 100分", BBox(x0=50, y0=120, x1=120, y1=132))
    return b.build()


def test_text_is_nfkc_and_pages_are_separated() -> None:
    doc = _two_page_doc()
    assert "基本支出为1059.01万元" in doc.text  # full-width digits normalised
    assert doc.text.count(PAGE_BREAK) == 1
    assert [p.number for p in doc.pages] == [1, 2]
    assert doc.pages[1].text_source is TextSource.ocr
    for page in doc.pages:
        assert PAGE_BREAK not in doc.slice(page.span)


def test_every_line_and_cell_span_slices_back_to_its_text() -> None:
    doc = _two_page_doc()
    for line in doc.lines:
        assert doc.slice(line.span) and "\n" not in doc.slice(line.span)
    table = doc.tables[0]
    for cell in table.cells:
        assert doc.slice(cell.span) == cell.text
    assert table.cell_at(2, 0).text == "产出指标"  # covered by the merged cell
    assert table.grid() == [
        ["一级指标", "三级指标"],
        ["产出指标", "涉污企业排查率 ≥95%"],
        ["", "信访案件办结率"],
    ]
    assert table.grid(fill_merged=True)[2][0] == "产出指标"
    assert doc.slice(table.span).splitlines()[2] == "\t信访案件办结率"


def test_locate_maps_spans_to_pages_and_sub_boxes() -> None:
    doc = _two_page_doc()
    start = doc.text.index("1059.01")
    (loc,) = doc.locate(Span(start=start, end=start + len("1059.01")))
    assert loc.page == 1
    line_box = doc.lines[0].bbox
    assert line_box.x0 < loc.bbox.x0 < loc.bbox.x1 < line_box.x1
    assert (loc.bbox.y0, loc.bbox.y1) == (line_box.y0, line_box.y1)

    cell = doc.tables[0].cells[3]
    (loc,) = doc.locate(cell.span)
    assert loc.page == 2 and loc.bbox == cell.bbox

    # a span across two lines yields both boxes
    both = doc.locate(Span(start=doc.lines[0].span.start, end=doc.lines[1].span.end))
    assert [b.page for b in both] == [1, 1]
    assert doc.page_at(doc.pages[1].span.start) == 2


def test_round_trips_through_json_without_loss() -> None:
    doc = _two_page_doc()
    again = Document.model_validate_json(doc.model_dump_json())
    assert again == doc
    assert again.locate(doc.tables[0].cells[0].span) == doc.locate(doc.tables[0].cells[0].span)


def test_empty_page_is_marked_empty() -> None:
    b = DocumentBuilder(_source())
    b.start_page(width=10, height=10)
    b.start_page(width=10, height=10)
    b.add_line("正文")
    doc = b.build()
    assert doc.pages[0].text_source is TextSource.empty
    assert doc.pages[1].text_source is TextSource.text_layer


def test_page_with_only_a_continued_table_is_not_empty() -> None:
    b = DocumentBuilder(_source())
    b.start_page(width=10, height=10)
    b.add_table([CellDraft(0, 0, "表头"), CellDraft(1, 0, "续行", page=2)])
    b.start_page(width=10, height=10)
    doc = b.build()
    assert doc.pages[1].text_source is TextSource.text_layer
    assert doc.tables[0].pages == [1, 2]
