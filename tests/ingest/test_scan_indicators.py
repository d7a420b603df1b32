"""Indicator tables (绩效自评表) on scanned pages: ruled tables rebuilt from their rulings,
borderless ones from the positions of the OCR engine's text boxes (``ocr_borderless``),
then read into indicator rows. A few pages only: OCR costs seconds a page."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document
from service.ingest.ocr_borderless import TextBox, box_chars, find_scan_tables
from tests.extract import indicator_families as fam
from tests.extract.test_indicator_families import expected, rows

SCANS = [
    # (family, ruled): a deviation right after a right-aligned score, which the engine
    # reads as one box with it; the weight before the target (one box again); a two-row
    # header with 绩效指标 centred over the levels; merged header cells drawn with rulings.
    (fam.FAMILY_A, False),
    (fam.FAMILY_B, False),
    (fam.FAMILY_F, False),
    (fam.FAMILY_C, True),
]


@pytest.mark.ocr
@pytest.mark.slow
@pytest.mark.parametrize(
    ("family", "ruled"), SCANS, ids=[f"{f.name}-{'ruled' if r else 'borderless'}" for f, r in SCANS]
)
def test_scanned_indicator_table_reads_its_rows(family: fam.Family, ruled: bool) -> None:
    doc = read_document(fam.as_scan(fam.as_pdf(family, ruled=ruled)), "scan.pdf")
    assert doc.pages[0].text_source.value == "ocr"
    assert len(doc.tables) == 1
    e = extract_rules(doc).export
    assert rows(e) == expected(family)
    for name, deviation in family.deviations:
        [ind] = [i for i in e.indicators if i.level3.value == name]
        assert ind.deviation is not None and ind.deviation.value == deviation
    for i in e.indicators:  # grounded on the page image, in points
        assert i.level3.source.page == 1 and i.level3.source.boxes


@pytest.mark.ocr
@pytest.mark.slow
def test_borderless_table_going_on_over_a_scanned_page_break() -> None:
    """Three rows at the foot of page 1 under the header, the rest at the top of page 2
    with no header: page 2's block continues page 1's table by its gutters."""
    family = fam.FAMILY_B
    doc = read_document(fam.as_scan(fam.as_pdf_over_pages(family, False, 3)), "scan.pdf")
    assert [t.pages for t in doc.tables] == [[1], [2]]
    e = extract_rules(doc).export
    assert rows(e) == expected(family)
    assert [i.level3.source.page for i in e.indicators] == [1, 1, 1, 2, 2]


# --- the box geometry, without the engine --------------------------------------------------


def test_box_chars_share_the_width_by_glyph_kind() -> None:
    chars, size = box_chars(TextBox("≥90%", (100.0, 10.0, 200.0, 50.0)))
    assert size == pytest.approx(26.0)
    assert [c[0] for c in chars] == ["≥", "9", "0", "%"]
    widths = [c[3] - c[1] for c in chars]
    assert widths[0] == pytest.approx(widths[1] / 0.55)  # a full-width sign, narrow digits
    assert chars[0][1] == 100.0 and chars[-1][3] == pytest.approx(200.0)


def _ink(spans: list[tuple[int, int]], width: int = 400, height: int = 60):  # noqa: ANN202
    import numpy as np

    ink = np.zeros((height, width), dtype=bool)
    for a, b in spans:
        ink[15:45, a:b] = True
    return ink


def test_a_blank_run_inside_a_box_parts_two_cells() -> None:
    """'9个别申请' read as one box: the score's ink and the text's ink stand a cell gap
    apart, so the characters land on either side of it."""
    box = TextBox("9个别申请", (100.0, 10.0, 330.0, 50.0))
    ink = _ink([(100, 114), (160, 190), (194, 224), (228, 258), (262, 292)])
    chars, _ = box_chars(box, ink)
    assert [c[0] for c in chars] == list("9个别申请")
    assert chars[0][3] <= 120 and chars[1][1] >= 155  # the gap stays between them


def test_a_number_set_wide_is_not_parted() -> None:
    """'13.5' with a wide gap after the point (a font that sets digits on a full em)."""
    box = TextBox("13.5", (100.0, 10.0, 220.0, 50.0))
    ink = _ink([(100, 150), (152, 158), (185, 210)])
    chars, size = box_chars(box, ink)
    right_of_point = chars[3][1] - chars[2][3]
    assert right_of_point < 0.9 * size  # stays one segment of one cell


def test_rows_of_boxes_become_a_table_and_prose_does_not() -> None:
    def row(y: float, *cells: tuple[float, str]) -> list[TextBox]:
        return [TextBox(t, (x, y, x + 30 * len(t), y + 40)) for x, t in cells]

    boxes = [
        *row(
            100,
            (50, "三级指标"),
            (300, "年度指标值"),
            (520, "实际完成值"),
            (740, "分值"),
            (840, "得分"),
        ),
        *row(160, (50, "巡河次数"), (300, "≥120次"), (520, "131次"), (760, "8"), (860, "8")),
        *row(220, (50, "水质达标率"), (300, "≥90%"), (520, "93%"), (760, "8"), (860, "7")),
        *row(280, (50, "投诉办结率"), (300, "100%"), (520, "100%"), (760, "4"), (860, "4")),
        TextBox("全年共巡河131次，水质持续改善。", (50, 400, 560, 440)),
    ]
    tables, rest = find_scan_tables(boxes, 1000.0)
    [table] = tables
    grid: dict[tuple[int, int], str] = {(c.row, c.col): c.text for c in table.cells}
    assert [grid[(2, c)] for c in range(5)] == ["水质达标率", "≥90%", "93%", "8", "7"]
    assert [b.text for b in rest] == ["全年共巡河131次，水质持续改善。"]
    prose = [
        TextBox("一、部门基本情况", (50, 100, 400, 140)),
        TextBox("本单位核定编制52名，实有人员49名。", (50, 160, 700, 200)),
    ]
    assert find_scan_tables(prose, 1000.0) == ([], prose)
