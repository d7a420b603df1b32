"""Merged 一级/二级 cells whose text is not on their group's first row: centred by a word
processor (borderless PDFs, tab copies with blank cells), or a level written on a line of
its own; the rows take the label whose group they are in, and top-aligned tables still
carry their labels down."""

from __future__ import annotations

import pytest

from service.extract.indicator_levels import OwnLabels, settle_levels
from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import Indicator, Value
from tests.extract import indicator_families as fam
from tests.extract import rubric_families as rf
from tests.extract.test_indicator_families import expected, rows

# Families whose first merged cells span several rows, so a centred label is not on the
# first row and the column reads as centred. (Where the first group is one row, centred and
# top-aligned labels look alike and rows carry the label above down: RUBRIC_FRAMEWORK.)
CENTRED = [rf.RUBRIC_POINTS_FIRST, fam.FAMILY_A, fam.FAMILY_C, fam.FAMILY_E]


@pytest.mark.parametrize("wrap", [8, 12])
@pytest.mark.parametrize("middle", [True, False], ids=["centred", "top"])
@pytest.mark.parametrize("family", [*CENTRED, rf.RUBRIC_DEDUCTIONS], ids=lambda f: f.name)
def test_borderless_pdf_with_centred_cells(family: fam.Family, middle: bool, wrap: int) -> None:
    data = rf.as_borderless_pdf(family, wrap=wrap, middle=middle)
    e = extract_rules(read_document(data, "table.pdf")).export
    assert rows(e) == expected(family)


@pytest.mark.parametrize("family", CENTRED, ids=lambda f: f.name)
def test_tab_copy_with_labels_on_the_middle_row(family: fam.Family) -> None:
    text = rf.as_tabs_centred(family)
    e = extract_rules(read_document(text.encode(), "copy.txt")).export
    assert rows(e) == expected(family)


# (FAMILY_E's own level names, 部门履职 …, glued to the name cannot be told from it.)
@pytest.mark.parametrize(
    "family", [f for f in CENTRED if f is not fam.FAMILY_E], ids=lambda f: f.name
)
def test_glued_copy_with_labels_on_the_middle_row(family: fam.Family) -> None:
    """The same copy with no cell separators: the labels glued before the name of the
    row they stand on."""
    text = rf.as_tabs_centred(family).replace("\t", "")
    e = extract_rules(read_document(text.encode(), "copy.txt")).export
    assert rows(e) == expected(family)


def _v(text: str) -> Value:
    return Value(value=text, raw=text)


def _ind(name: str, l1: str | None, l2: str | None = None) -> Indicator:
    return Indicator(level1=_v(l1) if l1 else None, level2=_v(l2) if l2 else None, level3=_v(name))


def _levels(out: list[Indicator]) -> list[tuple]:
    return [(i.level1 and i.level1.value, i.level2 and i.level2.value) for i in out]


def test_top_aligned_labels_carry_down() -> None:
    """The first row states its label: not centred; rows keep the label above."""
    a, b = _v("产出指标"), _v("效益指标")
    rows_ = [_ind("甲", "产出指标"), _ind("乙", "产出指标"), _ind("丙", "效益指标")]
    own = [OwnLabels(level1=a), OwnLabels(), OwnLabels(level1=b)]
    out = settle_levels(rows_, own)
    assert _levels(out) == [("产出指标", None), ("产出指标", None), ("效益指标", None)]


def test_centred_tie_goes_below_unless_the_family_says_otherwise() -> None:
    """Rows 0-1 under 产出 (label on row 1), row 2 between 产出 and 效益: the tie goes
    below, but a row whose 二级 is 时效指标 stays under 产出指标."""
    a, b = _v("产出指标"), _v("效益指标")
    own = [OwnLabels(), OwnLabels(level1=a), OwnLabels(), OwnLabels(level1=b)]
    plain = [
        _ind("甲", None),
        _ind("乙", "产出指标"),
        _ind("丙", "产出指标"),
        _ind("丁", "效益指标"),
    ]
    out = settle_levels(plain, own)
    assert [x[0] for x in _levels(out)] == ["产出指标", "产出指标", "效益指标", "效益指标"]
    timely = [*plain[:2], _ind("丙", "产出指标", "时效指标"), plain[3]]
    out = settle_levels(timely, own)
    assert [x[0] for x in _levels(out)] == ["产出指标", "产出指标", "产出指标", "效益指标"]


def test_a_level_line_between_rows_counts_as_a_label() -> None:
    """产出指标 on a line of its own after the first rows: those above it take it; rows of
    another family below it do not take the 满意度指标 at the foot."""
    a, c = _v("产出指标"), _v("满意度指标")
    rows_ = [
        _ind("甲", None, "数量指标"),
        _ind("乙", "产出指标", "数量指标"),
        _ind("丙", None, "社会效益指标"),
        _ind("丁", "满意度指标", "服务对象满意度指标"),
    ]
    own = [OwnLabels(), OwnLabels(), OwnLabels(), OwnLabels(level1=c)]
    out = settle_levels(rows_, own, [(0.5, OwnLabels(a))])
    assert [x[0] for x in _levels(out)] == ["产出指标", "产出指标", None, "满意度指标"]
