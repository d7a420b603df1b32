"""The report spec: table grids with merged cells, and their validation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from service.synth.spec import ReportSpec, SpecCell, TableBlock


def test_layout_places_cells_after_merges_from_above() -> None:
    table = TableBlock(
        rows=[
            [SpecCell(text="产出指标", row_span=2), "数量指标", "a"],
            ["质量指标", "b"],
            [SpecCell(text="总分", col_span=2), "100"],
        ]
    )
    placed = {(c.row, c.col): (c.row_span, c.col_span, c.text) for c in table.layout()}
    assert placed[(0, 0)] == (2, 1, "产出指标")
    assert placed[(1, 1)] == (1, 1, "质量指标")  # row 1 starts at column 1: column 0 is covered
    assert placed[(2, 0)] == (1, 2, "总分")
    assert (table.n_rows, table.n_cols) == (3, 3)
    assert table.grid() == [
        ["产出指标", "数量指标", "a"],
        ["", "质量指标", "b"],
        ["总分", "", "100"],
    ]
    assert table.grid(fill_merged=True)[1][0] == "产出指标"


@pytest.mark.parametrize(
    "rows",
    [
        [["a", "b"], ["c"]],  # a short row
        [["a", "b"], ["c", "d", "e"]],  # a long row
        [[SpecCell(text="a", row_span=3), "b"], ["c"]],  # a merge past the last row
    ],
)
def test_a_grid_that_does_not_close_is_refused(rows: list[list[str | SpecCell]]) -> None:
    with pytest.raises(ValidationError):
        TableBlock(rows=rows)


def test_width_hints_must_match_columns() -> None:
    with pytest.raises(ValidationError):
        TableBlock(rows=[["a", "b"]], col_widths=[1.0])


def test_from_grid_pads_short_rows() -> None:
    table = TableBlock.from_grid([["a", "b", "c"], ["d"]])
    assert table.grid() == [["a", "b", "c"], ["d", "", ""]]


def test_spec_round_trips_through_json(spec: ReportSpec) -> None:
    again = ReportSpec.model_validate_json(spec.model_dump_json())
    assert again == spec
    assert again.tables()[0].layout() == spec.tables()[0].layout()
