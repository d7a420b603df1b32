"""三公经费 in sentences: nil stated in words, year-on-year in any order and wording, vehicle
purchase vs running vs the combined item, budget and last year's figures, and directions
elsewhere in the sentence that are not the item's change. Every text here is invented."""

from __future__ import annotations

import pytest

from service.extract.resolve import get_path
from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport, Value

HEAD = "2023年度部门整体支出绩效自评报告\n"


def read(text: str) -> ReportExport:
    return extract_rules(read_document(text.encode("utf-8"), "t.txt")).export


def value(export: ReportExport, path: str) -> Value | None:
    return get_path(export, f"three_public.{path}")


@pytest.mark.parametrize(
    ("text", "item", "raw"),
    [
        ("全年未安排因公出国（境）经费。", "overseas", "未安排因公出国(境)经费"),
        ("本年度无公务接待支出。", "reception", "无公务接待支出"),
        ("2023年未发生公务用车购置费。", "vehicle_purchase", "未发生公务用车购置费"),
        ("本年度“三公”经费支出为零。", "total", "“三公”经费支出为零"),
        ("本单位没有因公出国费用，公务接待费1.20万元。", "overseas", "没有因公出国费用"),
        ("因公出国（境）费为0，与上年持平。", "overseas", None),
    ],
)
def test_nil_in_words_is_zero_with_the_words_as_raw(text: str, item: str, raw: str | None) -> None:
    got = value(read(text), f"{item}.actual")
    assert got is not None, f"{item} not read from {text!r}"
    assert got.number == 0 and got.unit == "万元"
    if raw is not None:
        assert got.raw.replace("（", "(").replace("）", ")") == raw


@pytest.mark.parametrize(
    ("text", "item", "actual", "previous", "change", "change_pct", "direction"),
    [
        ("公务接待费2.40万元，比上年减少0.80万元，下降25%。", "reception", 2.4, None, 0.8, 25, "下降"),
        ("公务接待费2.40万元，较上年度下降25%，减少0.80万元。", "reception", 2.4, None, 0.8, 25, "下降"),
        ("公务接待费2.40万元，同比减少0.80万元。", "reception", 2.4, None, 0.8, None, "下降"),
        ("公务接待费上年为3.20万元，本年为2.40万元，减少0.80万元，降幅25%。",
         "reception", 2.4, 3.2, 0.8, 25, "下降"),
        (HEAD + "与2022年相比，公务用车运行维护费4.40万元，增加0.60万元，增幅15.8%。",
         "vehicle_operation", 4.4, None, 0.6, 15.8, "增长"),
        ("“三公”经费12.34万元，比上年（13.84万元）减少1.50万元。",
         "total", 12.34, 13.84, 1.5, None, "下降"),
        ("公务接待费支出 24,000.00 元（2.40万元），较上年度下降25%。",
         "reception", 2.4, None, None, 25, "下降"),
        ("公务用车运行维护费5.6万元，主要用于车辆保险和维修，比上年减少1.2万元。",
         "vehicle_operation", 5.6, None, 1.2, None, "下降"),
    ],
)  # fmt: skip
def test_year_on_year_in_any_order(
    text: str,
    item: str,
    actual: float,
    previous: float | None,
    change: float | None,
    change_pct: float | None,
    direction: str,
) -> None:
    export = read(text)
    for column, want in (("actual", actual), ("previous", previous)):
        got = value(export, f"{item}.{column}")
        if want is None:
            assert got is None or got.number != pytest.approx(actual), column
        else:
            assert got is not None and got.number == pytest.approx(want), column
    for column, want, unit in (("change", change, "万元"), ("change_pct", change_pct, "%")):
        got = value(export, f"{item}.{column}")
        if want is None:
            continue
        assert got is not None, f"{column} not read from {text!r}"
        assert got.number == pytest.approx(want) and got.unit == unit
        assert got.direction == direction


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("公务接待费2.40万元，接待批次减少3批次，下降20%。", "reception"),
        ("公务接待费2.40万元，群众投诉率下降2%。", "reception"),
        ("公务接待费2.40万元，接待人数减少15人次。", "reception"),
        ("“三公”经费2.11万元，上年为8.64万元，培训费较上年减少3.20万元。", "total"),
    ],
)
def test_a_change_of_something_else_is_not_the_items(text: str, item: str) -> None:
    export = read(text)
    assert value(export, f"{item}.actual") is not None
    change, pct = value(export, f"{item}.change"), value(export, f"{item}.change_pct")
    assert change is None or change.number != pytest.approx(3.2), change
    assert pct is None, pct


def test_vehicle_purchase_running_and_combined_are_three_items() -> None:
    export = read(
        "公务用车购置及运行维护费26.40万元，其中公务用车购置费20.00万元，"
        "公务用车运行维护费6.40万元。"
    )
    assert value(export, "vehicle.actual").number == pytest.approx(26.4)  # type: ignore[union-attr]
    assert value(export, "vehicle_purchase.actual").number == pytest.approx(20.0)  # type: ignore[union-attr]
    assert value(export, "vehicle_operation.actual").number == pytest.approx(6.4)  # type: ignore[union-attr]


def test_a_budget_clause_fills_the_budget_column() -> None:
    export = read("“三公”经费年初预算15.00万元，实际支出12.34万元。")
    assert value(export, "total.budget").number == pytest.approx(15.0)  # type: ignore[union-attr]
    assert value(export, "total.actual").number == pytest.approx(12.34)  # type: ignore[union-attr]
    export = read("年初批复预算的“三公”经费为4.92万元，其中公务接待1.90万元，公务用车3.02万元。")
    assert value(export, "reception.budget").number == pytest.approx(1.9)  # type: ignore[union-attr]
    assert value(export, "reception.actual") is None


def test_last_years_sentence_fills_the_previous_column() -> None:
    export = read(HEAD + "2022年公务接待费3.20万元。")
    assert value(export, "reception.actual") is None
    assert value(export, "reception.previous").number == pytest.approx(3.2)  # type: ignore[union-attr]


def test_items_then_their_figures_respectively() -> None:
    export = read(
        "因公出国（境）费、公务接待费和公务用车运行维护费分别为0万元、1.20万元、3.45万元。"
    )
    got = [
        value(export, f"{item}.actual") for item in ("overseas", "reception", "vehicle_operation")
    ]
    assert [v.number if v else None for v in got] == [0, 1.2, 3.45]


@pytest.mark.parametrize(
    ("text", "items"),
    [
        (
            "因公出国（境）费、公务用车购置费均为零，公务接待费0.85万元。",
            ("overseas", "vehicle_purchase"),
        ),
        ("本年度未发生因公出国（境）费和公务用车购置费。", ("overseas", "vehicle_purchase")),
        ("因公出国费用及公务接待费均未发生。", ("overseas", "reception")),
    ],
)
def test_several_items_nil_together(text: str, items: tuple[str, ...]) -> None:
    export = read(text)
    for item in items:
        got = value(export, f"{item}.actual")
        assert got is not None and got.number == 0, item
    if "0.85" in text:  # the item stated apart keeps its own figure
        reception = value(export, "reception.actual")
        assert reception is not None and reception.number == pytest.approx(0.85)


@pytest.mark.parametrize(
    ("text", "item", "expected"),
    [
        ("本年度未购置公务用车，公车运行费3.10万元。", "vehicle_purchase", 0),
        ("本年度未购置公务用车，公车运行费3.10万元。", "vehicle_operation", 3.1),
        ("公务车辆购置 12.00 万元，公车运维费 2.30 万元。", "vehicle_purchase", 12.0),
        ("公务车辆购置 12.00 万元，公车运维费 2.30 万元。", "vehicle_operation", 2.3),
        ("公车购置及运维费14.30万元。", "vehicle", 14.3),
    ],
)
def test_vehicle_wordings(text: str, item: str, expected: float) -> None:
    got = value(read(text), f"{item}.actual")
    assert got is not None and got.number == pytest.approx(expected)


def number(export: ReportExport, path: str) -> float | None:
    v = value(export, path)
    return None if v is None else v.number


@pytest.mark.parametrize(
    "text",
    [
        "因公出国（境）费无。",
        "本年度因公出国(境)经费：无，公务接待费1.2万元。",
        "出国（境）费0；公务接待费1.2万元。",
        "未发生因公出国（境）费用。",
        "因公出国（境）0万元，公务接待费1.2万元。",
    ],
)
def test_overseas_nil_without_a_money_figure(text: str) -> None:
    assert number(read(text), "overseas.actual") == 0


@pytest.mark.parametrize(
    "text",
    ["因公出国（境）费无变化，公务接待费1.2万元。", "因公出国（境）费0.8万元。"],
)
def test_what_is_not_overseas_nil(text: str) -> None:
    assert number(read(text), "overseas.actual") != 0


@pytest.mark.parametrize(
    ("text", "total", "change"),
    [
        ("“三公”经费支出情况：因公出国（境）费0万元，公务用车运行维护费1.60万元，"
         "公务接待费0.30万元，合计1.90万元。", 1.90, None),
        ("三公经费：公务接待费0.5万元，公车运维费2.2万元，共计2.70万元，比上年减少0.3万元。", 2.70, 0.3),
        ("三公经费支出：因公出国（境）费0万元；公务接待费0.3万元；公车运行费1.4万元；三项合计1.7万元。",
         1.70, None),
        ("“三公”经费：公务接待费0.5万元、公务用车运行维护费2.2万元，总计2.70万元。", 2.70, None),
    ],
)  # fmt: skip
def test_the_total_stated_after_its_items(text: str, total: float, change: float | None) -> None:
    export = read(text)
    assert number(export, "total.actual") == pytest.approx(total)
    assert number(export, "total.change") == (None if change is None else pytest.approx(change))
    # the items keep their own figures; the total's change is not the last item's
    assert number(export, "reception.change") is None
    assert number(export, "reception.actual") in (pytest.approx(0.3), pytest.approx(0.5))


@pytest.mark.parametrize(
    "text",
    [
        "公务接待费0.5万元，培训费1.2万元，合计1.7万元。",
        "公务用车运行维护费：燃油费1万元，维修费0.6万元，合计1.6万元。",
    ],
)
def test_a_sum_with_other_costs_is_not_the_total(text: str) -> None:
    assert number(read(text), "total.actual") is None


@pytest.mark.parametrize(
    ("text", "item", "expected", "change"),
    [
        ("2023年三公经费支出0.25万元，均为公务接待费，比上年减少0.05万元。", "reception", 0.25, 0.05),
        ("“三公”经费支出1.2万元，全部为公务用车运行维护费。", "vehicle_operation", 1.2, None),
        ("三公经费共支出3.6万元，全部是公车运行维护费用，较上年下降0.4万元。",
         "vehicle_operation", 3.6, 0.4),
        ("“三公”经费支出0.25万元，均为接待费，比上年减少0.05万元。", "reception", 0.25, 0.05),
    ],
)  # fmt: skip
def test_a_total_that_is_all_one_item(
    text: str, item: str, expected: float, change: float | None
) -> None:
    export = read(text)
    assert number(export, "total.actual") == pytest.approx(expected)
    assert number(export, f"{item}.actual") == pytest.approx(expected)
    assert number(export, "total.change") == (None if change is None else pytest.approx(change))
    assert number(export, f"{item}.change") is None


@pytest.mark.parametrize(
    ("text", "item", "expected"),
    [
        ("其中公务接待费下降幅度最大，为12%。", "reception", 12.0),
        ("降幅最大的是公务接待费，下降12%。", "reception", 12.0),
        ("公务用车运行维护费降幅最为明显，达18.5%。", "vehicle_operation", 18.5),
    ],
)
def test_the_rate_beside_a_superlative(text: str, item: str, expected: float) -> None:
    assert number(read(text), f"{item}.change_pct") == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "item", "expected"),
    [
        ("公务用车运行维护2.10万元。", "vehicle_operation", 2.10),
        ("公车运行维护 2.10 万元，比上年减少0.3万元。", "vehicle_operation", 2.10),
        ("公务用车运维支出3.05万元。", "vehicle_operation", 3.05),
        ("公务接待0.80万元。", "reception", 0.80),
        ("公务用车购置及运行维护6.99万元。", "vehicle", 6.99),
    ],
)
def test_labels_without_fei(text: str, item: str, expected: float) -> None:
    assert number(read(text), f"{item}.actual") == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“三公”经费支出16.8万元，其中：购置执法车1辆，支出14.5万元；公务接待费2.3万元。", 14.5),
        ("三公经费情况：本年新购置公务用车2辆，支出31.2万元。", 31.2),
        ("“三公”经费中，更新购买业务用车一台，花费18万元。", 18.0),
        ("三公经费支出情况：全年购置1辆执法执勤车，支出22.6万元，公务接待费0.4万元。", 22.6),
    ],
)
def test_a_vehicle_bought_told_as_a_story(text: str, expected: float) -> None:
    assert number(read(text), "vehicle_purchase.actual") == pytest.approx(expected)


def test_a_vehicle_bought_outside_the_three_public_part_is_not_one() -> None:
    export = read("（二）项目实施\n本项目购置垃圾清运车3辆，支出45万元。")
    assert number(export, "vehicle_purchase.actual") is None


@pytest.mark.parametrize(
    ("text", "item", "change"),
    [
        ("公务用车运行维护费1.60万元（公务用车保有量2辆），比上年减少0.2万元。", "vehicle_operation", 0.2),
        ("公务接待费0.9万元（公务接待12批次），较上年增加0.15万元。", "reception", 0.15),
        ("公务用车运行费3万元（全年公车出行210次、公务接待用车30次），同比下降0.6万元。",
         "vehicle_operation", 0.6),
    ],
)  # fmt: skip
def test_a_remark_without_money_does_not_cut_the_item(text: str, item: str, change: float) -> None:
    export = read(text)
    assert number(export, f"{item}.change") == pytest.approx(change)


@pytest.mark.parametrize(
    "text",
    ["因公出国（境）费未发生。", "因公出国（境）经费均未开支，公务接待费0.6万元。"],
)
def test_nil_after_the_item(text: str) -> None:
    assert number(read(text), "overseas.actual") == 0


@pytest.mark.parametrize(
    ("text", "first", "second", "path", "values"),
    [
        ("公务用车运行维护费、公务接待费分别下降5%和12%。", "vehicle_operation", "reception",
         "change_pct", (5.0, 12.0)),
        ("公务接待费和公车运维费分别比上年减少0.2万元、0.45万元。", "reception", "vehicle_operation",
         "change", (0.2, 0.45)),
        ("因公出国（境）费、公务接待费分别增长3.5%、8%。", "overseas", "reception",
         "change_pct", (3.5, 8.0)),
    ],
)  # fmt: skip
def test_changes_respectively(
    text: str, first: str, second: str, path: str, values: tuple[float, float]
) -> None:
    export = read(text)
    got = (number(export, f"{first}.{path}"), number(export, f"{second}.{path}"))
    assert got == (pytest.approx(values[0]), pytest.approx(values[1]))
    assert value(export, f"{second}.{path}").direction in ("下降", "增长")  # type: ignore[union-attr]


def test_label_value_lines_then_their_total_line() -> None:
    text = (
        HEAD + "三、“三公”经费\n因公出国（境）费\t0万元\n公务接待费\t0.62万元\n"
        "公务用车运行维护费\t3.1万元\n合计\t3.72万元\n"
    )
    export = read(text)
    assert number(export, "total.actual") == pytest.approx(3.72)
    assert number(export, "vehicle_operation.actual") == pytest.approx(3.1)
    assert number(export, "overseas.actual") == 0
