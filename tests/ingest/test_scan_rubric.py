"""Scanned borderless rubric tables (评分表): the OCR boxes laid out as characters
(``ocr_borderless``) for a figures-only box and a number set wide, and a scanned rubric
page read into its rows."""

from __future__ import annotations

import numpy as np
import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document
from service.ingest.ocr_borderless import TextBox, box_chars, find_scan_tables
from tests.extract import indicator_families as fam
from tests.extract import rubric_families as rf
from tests.extract.test_indicator_families import expected, rows


def _ink(spans: list[tuple[int, int]], top: int = 0, width: int = 1000, height: int = 800):
    ink = np.zeros((height, width), dtype=bool)
    for a, b in spans:
        ink[top + 5 : top + 25, a:b] = True
    return ink


def test_a_figures_only_box_keeps_its_narrow_one() -> None:
    """'10' in a box lower than the page's lines: the blank beside the narrow 1 is no cell
    gap at the page's usual em, though it is one at the box's own height."""
    box = TextBox("10", (406.0, 0.0, 454.0, 28.0))
    ink = _ink([(411, 420), (435, 444)])
    alone, _ = box_chars(box, ink)
    assert alone[1][1] - alone[0][3] > 10  # parted at the box's own height
    chars, size = box_chars(box, ink, min_size=23.0)
    assert size == 23.0
    assert chars[1][1] - chars[0][3] == pytest.approx(0.0)


def test_a_point_with_a_wide_blank_after_it_spreads_over_it() -> None:
    """'17.5' whose '5' stands 21 px past the point: the glyphs reach the 5's ink, so
    right-aligned single figures below it share its column."""
    box = TextBox("17.5", (852.0, 0.0, 956.0, 39.0))
    chars, _ = box_chars(box, _ink([(861, 914), (935, 947)]))
    assert [c[0] for c in chars] == list("17.5")
    assert chars[0][1] == pytest.approx(861.0) and chars[-1][3] == pytest.approx(947.0)
    assert all(b[1] == pytest.approx(a[3]) for a, b in zip(chars, chars[1:], strict=False))


def test_rubric_boxes_become_one_table_with_its_points_columns() -> None:
    def row(y: float, *cells: tuple[float, float, str]) -> list[TextBox]:
        return [TextBox(t, (x0, y, x1, y + h)) for x0, h, t in cells for x1 in [x0 + w(t)]]

    def w(t: str) -> float:
        return sum(24 if ord(ch) > 0x2E80 else 12 for ch in t)

    boxes = [
        *row(300, (77, 39, "考核指标"), (352, 39, "权重"), (475, 39, "评分标准"), (801, 39, "评分")),
        *row(360, (80, 31, "资金使用合规性"), (412, 28, "10"), (480, 31, "每发现一笔扣2分"), (936, 28, "8")),
        *row(420, (80, 31, "社会效益"), (412, 28, "20"), (480, 31, "成效明显得满分"), (888, 39, "17.5")),
        *row(480, (80, 31, "预算执行率"), (412, 28, "10"), (480, 31, "每低1%扣0.5分"), (936, 28, "9")),
    ]  # fmt: skip
    spans = [(int(b.rect[0]) + 2, int(b.rect[2]) - 2) for b in boxes]
    ink = np.zeros((800, 1000), dtype=bool)
    for b, (a, z) in zip(boxes, spans, strict=True):
        ink[int(b.rect[1]) + 4 : int(b.rect[3]) - 4, a:z] = True
    tables, _ = find_scan_tables(boxes, 800.0, ink)
    [table] = tables
    grid = {(c.row, c.col): c.text for c in table.cells}
    n_cols = 1 + max(c for _, c in grid)
    assert [[grid.get((r, c), "") for c in range(n_cols)] for r in range(4)] == [
        ["考核指标", "权重", "评分标准", "评分"],
        ["资金使用合规性", "10", "每发现一笔扣2分", "8"],
        ["社会效益", "20", "成效明显得满分", "17.5"],
        ["预算执行率", "10", "每低1%扣0.5分", "9"],
    ]


@pytest.mark.ocr
@pytest.mark.slow
def test_scanned_borderless_rubric_reads_its_rows() -> None:
    family = rf.RUBRIC_FRAMEWORK
    doc = read_document(fam.as_scan(fam.as_pdf(family, ruled=False)), "scan.pdf")
    assert doc.pages[0].text_source.value == "ocr"
    e = extract_rules(doc).export
    assert rows(e) == expected(family)
    assert e.report.total_score.value == family.total
