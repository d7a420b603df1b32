"""A money unit stated once beside a label (收入合计（元）：12,345,600.00): the bare figure after
it is money in that unit; a bare figure with no unit anywhere stays no money. Texts are ours."""

from __future__ import annotations

import pytest

from service.extract.clauses import value_after
from service.extract.resolve import get_path
from service.extract.rules import extract_rules
from service.extract.stated_unit import with_stated_unit
from service.ingest import read_document


@pytest.mark.parametrize(
    ("src", "label_end", "value", "original"),
    [
        ("本年收入合计（元）：12,345,600.00", 6, 1234.56, "元"),
        ("收入合计（万元）：1,234.56", 4, 1234.56, None),
        ("收入合计（单位：元）12345600", 4, 1234.56, "元"),
        ("公务接待费(万元)为1.20", 5, 1.2, None),
    ],
)
def test_the_bare_figure_takes_the_unit_beside_its_label(
    src: str, label_end: int, value: float, original: str | None
) -> None:
    found = value_after(src, label_end, len(src))
    assert found is not None and found.kind == "number"
    got = with_stated_unit(src, label_end, found)
    assert got.kind == "money" and got.q.unit == "万元"
    assert got.q.value == pytest.approx(value) and got.q.original_unit == original
    assert src[got.start : got.end] == src[found.start : found.end]  # same span, same raw


@pytest.mark.parametrize(
    ("src", "label_end"),
    [("收入合计：1,234.56", 4), ("在职人数（人）：52", 4), ("收入合计（元）说明见附表，12", 4)],
)
def test_without_a_money_unit_right_before_it_the_figure_stays_bare(
    src: str, label_end: int
) -> None:
    found = value_after(src, label_end, len(src))
    if found is not None:
        assert with_stated_unit(src, label_end, found).kind == found.kind


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        ("本年收入合计（元）：12,345,600.00", "budget.total_income", 1234.56),
        ("收入合计（万元）：1,234.56，其中财政拨款收入（万元）：1,200.00", "budget.income_general_budget", 1200.0),
        ("三、“三公”经费\n公务接待费（万元）：1.20，同比下降12.4%。", "three_public.reception.actual", 1.2),
        ("三、“三公”经费\n公务接待费（万元）1.20，上年（万元）1.37。", "three_public.reception.previous", 1.37),
    ],
)  # fmt: skip
def test_read_through_the_extractor(text: str, path: str, expected: float) -> None:
    doc = read_document(f"某某局2023年度部门整体支出绩效自评报告\n{text}\n".encode(), "t.txt")
    got = get_path(extract_rules(doc).export, path)
    assert got is not None and got.number == pytest.approx(expected) and got.unit == "万元"


def test_a_bare_figure_with_no_unit_anywhere_is_not_read_as_money() -> None:
    doc = read_document(
        "某某局2023年度部门整体支出绩效自评报告\n本年收入合计：1,234.56\n".encode(), "t.txt"
    )
    assert extract_rules(doc).export.budget.total_income is None
