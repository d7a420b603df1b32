"""Money, 三公 and project tables in many shapes (tests/extract/table_shapes.py), each read
from every format as its spec states: a fixed sample of seeds that together draw every
value of every axis at least once per format. eval/table_shapes_sweep.py runs hundreds."""

from __future__ import annotations

import pytest

from tests.extract.table_shapes import FORMATS, covering_sample, mismatches, read, shape_for

CASES = [(fmt, seed) for fmt in FORMATS for seed in covering_sample(fmt)]


@pytest.mark.parametrize(("fmt", "seed"), CASES, ids=[f"{f}-{s}" for f, s in CASES])
def test_every_stated_figure_is_read(fmt: str, seed: int) -> None:
    shape = shape_for(seed, fmt)
    assert mismatches(shape, read(shape)) == [], shape.axes


def test_the_sample_covers_every_axis_value_in_each_format() -> None:
    for fmt in FORMATS:
        drawn = {(k, v) for seed in covering_sample(fmt) for k, v in shape_for(seed, fmt).axes.items()}
        assert ("kind", "tp_cols") in drawn and ("unit_at", "note") in drawn
        assert ("two_level", "yes") in drawn and ("vehicle", "group") in drawn


def test_a_wrong_reading_is_reported() -> None:
    """The comparison itself: a figure read from the wrong column is named."""
    shape = shape_for(3, "txt_tab", "money")
    export = read(shape)
    assert mismatches(shape, export) == []
    shape.fields["budget.total_expenditure"] += 1
    assert mismatches(shape, export) == [
        f"budget.total_expenditure: want {shape.fields['budget.total_expenditure']} got "
        f"{shape.fields['budget.total_expenditure'] - 1}"
    ]
    shape.lines["基本支出"]["previous_final"] += 2
    assert any(m.startswith("line 基本支出.previous_final") for m in mismatches(shape, export))
