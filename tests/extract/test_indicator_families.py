"""Nine invented 绩效自评表 layouts (``indicator_families``), each read from a tab-separated
and a space-aligned text export, a DOCX table with merged cells, a ruled text PDF and a borderless text PDF,
through the real readers: every row with its levels, target, actual, weight and score."""

from __future__ import annotations

from decimal import Decimal

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport
from tests.extract import indicator_families as fam


def rows(e: ReportExport) -> list[tuple]:
    def v(x):  # noqa: ANN001, ANN202
        if x is None:
            return None
        return float(x.value) if isinstance(x.value, int | float | Decimal) else x.value

    return [
        (v(i.level1), v(i.level2), v(i.level3), v(i.target), v(i.actual), v(i.weight), v(i.score))
        for i in e.indicators
    ]


def expected(f: fam.Family) -> list[tuple]:
    return [tuple(float(x) if isinstance(x, int | float) else x for x in r) for r in f.expected]


RENDER = {
    "tabs": lambda f: (fam.as_tabs(f).encode(), "table.txt"),
    "spaced": lambda f: (fam.as_spaced(f).encode(), "table.txt"),
    "docx": lambda f: (fam.as_docx(f), "table.docx"),
    "ruled_pdf": lambda f: (fam.as_pdf(f, ruled=True), "table.pdf"),
    "borderless_pdf": lambda f: (fam.as_pdf(f, ruled=False), "table.pdf"),
}


def read(f: fam.Family, fmt: str) -> ReportExport:
    data, name = RENDER[fmt](f)
    return extract_rules(read_document(data, name)).export


@pytest.mark.parametrize("fmt", sorted(RENDER))
@pytest.mark.parametrize("family", fam.FAMILIES, ids=lambda f: f.name)
def test_family_reads_in_every_format(family: fam.Family, fmt: str) -> None:
    e = read(family, fmt)
    assert rows(e) == expected(family)
    if family.total is not None:
        assert e.report.total_score is not None
        assert e.report.total_score.value == family.total
    for name, deviation in family.deviations:
        [ind] = [i for i in e.indicators if i.level3.value == name]
        assert ind.deviation is not None and ind.deviation.value == deviation
    for ind in e.indicators:
        if (ind.level3.value, ind.deviation and ind.deviation.value) not in family.deviations:
            assert ind.deviation is None, ind.level3.value


def test_units_and_comparators_are_kept() -> None:
    e = read(fam.FAMILY_F, "borderless_pdf")
    area = e.indicators[0]
    assert (area.target.comparator, area.target.unit, area.actual.unit) == (
        "≥",
        "万平方米",
        "万平方米",
    )
    cost = e.indicators[2]
    assert (cost.target.comparator, cost.target.unit) == ("≤", "万元")


def test_two_row_borderless_header_reads_as_two_header_rows() -> None:
    """指标值 centred over 年度目标 | 实际完成, and 绩效指标 centred over the level columns:
    each header row keeps its own words, so the lower row's names win under the merge."""
    doc = read_document(fam.as_pdf(fam.FAMILY_C, ruled=False), "table.pdf")
    [table] = doc.tables
    grid = table.grid()
    assert grid[1][3:5] == ["年度目标", "实际完成"]
    assert "指标值" in grid[0][3:5]
    doc = read_document(fam.as_pdf(fam.FAMILY_F, ruled=False), "table.pdf")
    [table] = doc.tables
    grid = table.grid()
    assert grid[0][3:] == ["年度指标值", "实际完成值", "权重", "得分"]
    assert grid[1][:3] == ["一级指标", "二级指标", "三级指标"]


# --- glued text: a copy of the table with no cell separators ------------------------------

# Families whose glued rows the shapes part: the level names a glued row starts with are
# the common ones (产出指标, 数量指标 …); custom level names (履职效能) and the rubric's
# explanation glued to the name cannot be told from the name itself.
GLUED = [fam.FAMILY_A, fam.FAMILY_B, fam.FAMILY_C, fam.FAMILY_D, fam.FAMILY_F, fam.FAMILY_H]


@pytest.mark.parametrize("own_lines", [False, True], ids=["levels-glued", "levels-on-own-lines"])
@pytest.mark.parametrize("family", GLUED, ids=lambda f: f.name)
def test_glued_copy_reads_by_the_shape_of_its_cells(family: fam.Family, own_lines: bool) -> None:
    data = fam.as_glued(family, levels_on_own_lines=own_lines).encode()
    e = extract_rules(read_document(data, "copy.txt")).export
    assert rows(e) == expected(family)
    for name, deviation in family.deviations:
        [ind] = [i for i in e.indicators if i.level3.value == name]
        assert ind.deviation.value == deviation
    for ind in e.indicators:  # every cell grounded on its own characters
        assert ind.level3.raw == ind.level3.value


@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "borderless"])
def test_table_going_on_over_a_page_break(ruled: bool) -> None:
    family = fam.FAMILY_B
    doc = read_document(fam.as_pdf_over_pages(family, ruled, 3), "table.pdf")
    e = extract_rules(doc).export
    assert rows(e) == expected(family)
    assert [i.level3.source.page for i in e.indicators] == [1, 1, 1, 2, 2]


def test_level_names_no_list_knows_on_lines_of_their_own() -> None:
    """履职效能 / 社会影响 / 满意程度 above their rows: the table's one level column."""
    data = fam.as_glued(fam.FAMILY_G, levels_on_own_lines=True).encode()
    e = extract_rules(read_document(data, "copy.txt")).export
    assert rows(e) == expected(fam.FAMILY_G)


def test_a_first_column_name_wrapped_at_the_left_margin() -> None:
    """A layout-keeping copy wraps a long 指标名称 under itself at the left margin
    (“入河排污口整治数” / “量”): the short line goes on the name, the table goes on."""
    text = fam.as_spaced(fam.FAMILY_B, wrap=8)
    assert "\n量\n" in text
    e = extract_rules(read_document(text.encode(), "copy.txt")).export
    assert rows(e) == expected(fam.FAMILY_B)


def test_other_header_words_and_a_comparator_after_the_unit() -> None:
    """计划完成值 / 年度完成值 / 考核分值 / 实得分, 以内 and 以上 after the unit."""
    text = (
        "指标名称\t计划完成值\t年度完成值\t考核分值\t实得分\n"
        "行政审批办结时限\t3个工作日以内\t2个工作日\t10\t10\n"
        "网上办件占比\t90%以上\t93.5%\t10\t9\n"
    )
    e = extract_rules(read_document(text.encode(), "table.txt")).export
    assert rows(e) == [
        (None, None, "行政审批办结时限", 3.0, 2.0, 10.0, 10.0),
        (None, None, "网上办件占比", 90.0, 93.5, 10.0, 9.0),
    ]
    first, second = e.indicators
    assert (first.target.unit, first.target.comparator, first.target.raw) == (
        "个工作日",
        "以内",
        "3个工作日以内",
    )
    assert (second.target.unit, second.target.comparator) == ("%", "以上")
