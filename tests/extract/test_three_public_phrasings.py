"""三公 year-on-year in prose, built as families: each item's figure, last year's figure, the
change and the change % stated in any order (previous first, change first, percent first,
percent only, the comparison in the next sentence), with the comparison and direction
worded several ways; no change (持平); a signed change (增减-1.44万元); the vehicle split
into purchase and running under short names; and distractors that must not be read (another
rate in the sentence, the budget beside the spending, last year's budget, 基本持平). Only
what is written is read: a percentage alone gives no previous figure. Every text is ours."""

from __future__ import annotations

import itertools

import pytest

from service.extract.checks import run_checks
from service.extract.ground import Grounder
from service.extract.resolve import get_path
from service.extract.rules import extract_rules
from service.extract.three_public import three_public_candidates
from service.ingest import read_document

HEAD = "某某局2023年度部门整体支出绩效自评报告\n三、“三公”经费情况\n"

LABELS = {
    "total": "“三公”经费支出",
    "reception": "公务接待费",
    "vehicle_operation": "公务用车运行维护费",
    "overseas": "因公出国（境）费",
}
# (actual, previous, change, change %) per item, falling and rising.
FIGURES = {
    ("total", "down"): ("7.20", "8.64", "1.44", "16.7"),
    ("total", "up"): ("8.64", "7.20", "1.44", "20"),
    ("reception", "down"): ("1.20", "1.37", "0.17", "12.4"),
    ("reception", "up"): ("1.37", "1.20", "0.17", "14.2"),
    ("vehicle_operation", "down"): ("3.10", "3.39", "0.29", "8.6"),
    ("vehicle_operation", "up"): ("3.39", "3.10", "0.29", "9.4"),
    ("overseas", "down"): ("0.80", "1.00", "0.20", "20"),
    ("overseas", "up"): ("1.00", "0.80", "0.20", "25"),
}
WORDS = {"down": ("减少", "下降", "降低"), "up": ("增加", "增长", "上升")}
COMPARISONS = ("比上年", "较上年", "与上年相比，", "同比", "较2022年", "较上年度")

# Each form: the sentence, and which of actual / previous / change / change % it states.
FORMS = [
    ("{L}{a}万元，{cmp}{d1}{c}万元，{d2}{pct}%。", "a c pct"),
    ("{L}上年{p}万元，本年{a}万元，{d1}{c}万元。", "a p c"),
    ("{L}{a}万元，{cmp}{d2}{pct}%，即{d1}{c}万元。", "a c pct"),
    ("{L}{cmp}{d2}{pct}%（上年{p}万元），本年{a}万元。", "a p pct"),
    ("{L}{a}万元，上年{p}万元，{d2}{pct}%。", "a p pct"),
    ("{L}{a}万元。{cmp}{d1}{c}万元，{d2}{pct}%。", "a c pct"),
    ("{L}{a}万元。上年为{p}万元。", "a p"),
    ("{L}{a}万元，比上年的{p}万元{d1}{c}万元。", "a p c"),
    ("{L}{cmp}{d1}{c}万元，{d2}{pct}%，全年支出{a}万元。", "a c pct"),
    ("{L}{a}万元，{cmp}{d2}{pct}%。", "a pct"),
    ("2022年{L}{p}万元，2023年{a}万元。", "a p"),
    ("{L}{a}万元，较上年同期（{p}万元）{d1}{c}万元，{d2}幅度{pct}%。", "a p c pct"),
    ("{L}：\n本年{a}万元\n{cmp}{d2}{pct}%", "a pct"),
]


def _cases() -> list[object]:
    out = []
    for (k, form), (item, way) in itertools.product(enumerate(FORMS), FIGURES):
        d1, d2 = WORDS[way][k % 3], WORDS[way][(k + 1) % 3]
        cmp = COMPARISONS[(k + len(item)) % len(COMPARISONS)]
        a, p, c, pct = FIGURES[(item, way)]
        text = form[0].format(L=LABELS[item], a=a, p=p, c=c, pct=pct, cmp=cmp, d1=d1, d2=d2)
        stated = form[1].split()
        want = {
            "actual": a,
            "previous": p if "p" in stated else None,
            "change": c if "c" in stated else None,
            "change_pct": pct if "pct" in stated else None,
        }
        out.append(pytest.param(text, item, way, want, id=f"{item}-{way}-form{k}"))
    return out


def read(text: str):  # noqa: ANN201
    return extract_rules(read_document((HEAD + text + "\n").encode("utf-8"), "t.txt")).export


def number(export, path: str) -> float | None:  # noqa: ANN001
    v = get_path(export, f"three_public.{path}")
    return None if v is None else v.number


@pytest.mark.parametrize(("text", "item", "way", "want"), _cases())
def test_year_on_year_in_every_order(text: str, item: str, way: str, want: dict) -> None:
    export = read(text)
    for column, figure in want.items():
        got = get_path(export, f"three_public.{item}.{column}")
        if figure is None:
            # never derived: a percentage alone states no previous figure, no change
            assert got is None, f"{column} read {got and got.number} from {text!r}"
            continue
        assert got is not None, f"{column} not read from {text!r}"
        assert got.number == pytest.approx(float(figure)), column
        assert got.unit == ("%" if column == "change_pct" else "万元")
        if column.startswith("change"):
            assert got.direction == {"down": "下降", "up": "增长"}[way]


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("因公出国（境）费0万元，与上年持平。", "overseas"),
        ("公务接待费1.20万元，较上年无变化。", "reception"),
        ("本年度未安排因公出国（境）费，与上年一致。", "overseas"),
        ("“三公”经费支出7.20万元，同比持平。", "total"),
        ("公务用车运行维护费3.10万元。与上年持平。", "vehicle_operation"),
    ],
)
def test_no_change_is_a_change_of_zero(text: str, item: str) -> None:
    export = read(text)
    got = get_path(export, f"three_public.{item}.change")
    assert got is not None and got.number == 0 and got.unit == "万元"
    assert number(export, f"{item}.previous") is None  # 持平 states no figure of last year


@pytest.mark.parametrize(
    ("text", "change", "pct", "direction"),
    [
        ("三公经费：本年7.20万元，上年8.64万元，增减-1.44万元。", -1.44, None, "下降"),
        ("三公经费本年支出7.20万元，上年支出8.64万元，增减变化-1.44万元，增减率-16.7%。",
         -1.44, -16.7, "下降"),
        ("三公经费本年支出8.64万元，上年支出7.20万元，增减额1.44万元，变动率20%。", 1.44, 20.0, "增长"),
    ],
)  # fmt: skip
def test_a_signed_change_takes_its_direction_from_the_sign(
    text: str, change: float, pct: float | None, direction: str
) -> None:
    export = read(text)
    got = get_path(export, "three_public.total.change")
    assert got is not None and got.number == pytest.approx(change) and got.direction == direction
    assert number(export, "total.change_pct") == (None if pct is None else pytest.approx(pct))
    assert got.signed == pytest.approx(-abs(change) if direction == "下降" else abs(change))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("公务用车购置及运行维护费23.10万元，其中购置费20.00万元，运行维护费3.10万元。",
         {"vehicle": 23.1, "vehicle_purchase": 20.0, "vehicle_operation": 3.1}),
        ("公务用车购置及运行维护费3.10万元（购置费0万元、运维费3.10万元）。",
         {"vehicle": 3.1, "vehicle_purchase": 0.0, "vehicle_operation": 3.1}),
        ("公务用车购置及运行维护费3.10万元，其中未购置公务用车，运行维护费3.10万元。",
         {"vehicle": 3.1, "vehicle_purchase": 0.0, "vehicle_operation": 3.1}),
        ("公务用车购置及运行维护费3.10万元，全部为运行维护费。",
         {"vehicle": 3.1, "vehicle_purchase": None, "vehicle_operation": 3.1}),
        ("公务用车费用3.10万元，均为车辆运行费。",
         {"vehicle": 3.1, "vehicle_operation": 3.1}),
        ("公务用车购置费0万元，运行费3.10万元，同比下降8.6%。",
         {"vehicle_purchase": 0.0, "vehicle_operation": 3.1}),
        ("公务用车购置费及运行维护费3.10万元，同比下降8.6%。",
         {"vehicle": 3.1, "vehicle_purchase": None, "vehicle_operation": None}),
        ("车辆运行维护费3.10万元，同比下降8.6%。", {"vehicle_operation": 3.1}),
    ],
)  # fmt: skip
def test_the_vehicle_split_under_any_names(text: str, expected: dict) -> None:
    export = read(text)
    for path, want in expected.items():
        got = number(export, f"{path}.actual")
        assert got == (None if want is None else pytest.approx(want)), path


def test_short_vehicle_names_outside_a_three_public_paragraph_are_no_items() -> None:
    text = "某某局2023年度部门整体支出绩效自评报告\n二、支出情况\n公用经费中，运行维护费3.10万元，购置费2.00万元。\n"
    export = extract_rules(read_document(text.encode("utf-8"), "t.txt")).export
    assert number(export, "vehicle_operation.actual") is None
    assert number(export, "vehicle_purchase.actual") is None


def test_a_combined_vehicle_change_is_not_the_parts() -> None:
    export = read("公务用车购置及运行维护费3.10万元，全部为运行维护费，同比下降8.6%。")
    assert number(export, "vehicle.change_pct") == pytest.approx(8.6)
    assert number(export, "vehicle_operation.change_pct") is None


@pytest.mark.parametrize(
    ("text", "path", "unwanted"),
    [
        ("公务接待费1.20万元，比上年下降12.4%，群众投诉率下降2%。", "reception.change_pct", 2.0),
        ("公务接待费1.20万元，同比下降12.4%。接待批次下降20%。", "reception.change_pct", 20.0),
        ("公务接待费1.20万元。本年接待32批次，较上年减少8批次，下降20%。", "reception.change_pct", 20.0),
        ("“三公”经费支出7.20万元，上年预算8.00万元。", "total.budget", 8.0),
        ("“三公”经费支出7.20万元，上年预算8.00万元。", "total.previous", 8.0),
        ("“三公”经费上年预算8.00万元，本年实际支出7.20万元。", "total.actual", 8.0),
        ("“三公”经费上年预算8.00万元，本年实际支出7.20万元。", "total.budget", 8.0),
        ("“三公”经费支出7.20万元，比上年预算8.00万元减少0.80万元。", "total.change", 0.8),
        ("“三公”经费支出7.20万元，比上年预算8.00万元减少0.80万元。", "total.budget", 8.0),
        ("“三公”经费支出7.20万元，较预算减少1.80万元，比上年减少1.44万元。", "total.change", 1.8),
        ("公务用车运行维护费6.00万元，较上年基本持平。", "vehicle_operation.change", 0.0),
        ("公务接待费1.20万元。上年度接待40批次。", "reception.previous", 40.0),
        ("公务用车运行维护费3.10万元，占三公经费的43%，同比下降8.6%。", "total.change_pct", 8.6),
        ("公务用车运行维护费3.10万元，占三公经费的43%，同比下降8.6%。", "total.actual", 43.0),
        ("公务用车运行维护费3.10万元，主要用于2辆公务用车的燃油、维修，同比下降8.6%。",
         "vehicle.change_pct", 8.6),
        ("公务用车运行维护费下降8.6%至3.10万元。", "vehicle_operation.change", 3.1),
        ("公务用车运行维护费由3.39万元减少到3.10万元。", "vehicle_operation.actual", 3.39),
        ("公务用车运行维护费由3.39万元减少到3.10万元。", "vehicle_operation.change", 3.1),
        ("“三公”经费支出7.20万元，比上年少1.44万元，至少节约0.5万元。", "total.change", 0.5),
    ],
)  # fmt: skip
def test_distractors_are_not_read(text: str, path: str, unwanted: float) -> None:
    got = number(read(text), path)
    assert got is None or got != pytest.approx(unwanted), f"{path} read {got} from {text!r}"


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        ("“三公”经费支出7.20万元，较预算减少1.80万元，比上年减少1.44万元。", "total.change", 1.44),
        ("“三公”经费年初预算9.00万元，实际支出7.20万元，比上年减少1.44万元。", "total.budget", 9.0),
        ("“三公”经费支出7.20万元，比上年少1.44万元。", "total.change", 1.44),
        ("“三公”经费支出7.20万元，比上年多支出1.44万元。", "total.change", 1.44),
        ("三公经费2023年预算数9.00万元，2023年决算数7.20万元，2022年决算数8.64万元。",
         "total.previous", 8.64),
        ("三公经费2023年预算数9.00万元，2023年决算数7.20万元，2022年决算数8.64万元。",
         "total.actual", 7.2),
        ("“三公”经费支出7.20万元，较上年压减1.44万元，压减比例16.7%。", "total.change_pct", 16.7),
        ("公务接待费12,000.00元，上年13,700.00元，减少1,700.00元，下降12.4%。", "reception.previous", 1.37),
        ("三公经费合计7.20万元，上年8.64万元。", "total.previous", 8.64),
        ("公务用车运行维护费3.10万元，占三公经费的43%，同比下降8.6%。",
         "vehicle_operation.change_pct", 8.6),
        ("公务用车运行维护费下降8.6%至3.10万元。", "vehicle_operation.actual", 3.1),
        ("公务用车运行维护费下降8.6%至3.10万元。", "vehicle_operation.change_pct", 8.6),
        ("公务用车运行维护费由3.39万元减少到3.10万元，降幅8.6%。", "vehicle_operation.previous", 3.39),
        ("公务用车运行维护费由3.39万元减少到3.10万元，降幅8.6%。", "vehicle_operation.actual", 3.1),
        ("购置公务用车20.00万元，公务接待费1.20万元。", "vehicle_purchase.actual", 20.0),
        ("公务用车运营维护费3.10万元。", "vehicle_operation.actual", 3.1),
        ("公务接待费1.20万元，上年1.37万元；公务用车运行维护费6.00万元，上年7.27万元；"
         "三公经费合计7.20万元，上年8.64万元。", "total.previous", 8.64),
    ],
)  # fmt: skip
def test_what_is_stated_beside_a_distractor_is_read(text: str, path: str, expected: float) -> None:
    assert number(read(text), path) == pytest.approx(expected)


def test_last_years_budget_is_proposed_for_no_column() -> None:
    """Not only the resolved record: no candidate at all carries last year's budget."""
    text = HEAD + "“三公”经费上年预算8.00万元，本年实际支出7.20万元。\n"
    doc = read_document(text.encode("utf-8"), "t.txt")
    found = three_public_candidates(Grounder(doc, "rules"), lambda _offset: "prose", 2023)
    got = {(c.path, c.value.number) for c in found}
    assert ("three_public.total.actual", 7.2) in got
    assert not [c.path for c in found if c.value.number == 8.0]


@pytest.mark.parametrize(
    "text",
    [
        "公务接待费和公务用车运行维护费分别为1.20万元和3.10万元，分别下降12.4%和8.6%。",
        "公务接待费、公务用车运行维护费分别较上年下降12.4%、8.6%，分别为1.20万元、3.10万元。",
        "公务接待费1.20万元、公务用车运行维护费3.10万元，同比分别下降12.4%、8.6%。",
        "“三公”经费7.20万元，其中公务接待费1.20万元、公务用车运行维护费3.10万元，分别下降12.4%和8.6%。",
    ],
)
def test_runs_stated_respectively_go_to_their_items_in_order(text: str) -> None:
    export = read(text)
    got = {
        path: number(export, path)
        for path in (
            "reception.actual",
            "vehicle_operation.actual",
            "reception.change_pct",
            "vehicle_operation.change_pct",
        )
    }
    assert got == {
        "reception.actual": pytest.approx(1.2),
        "vehicle_operation.actual": pytest.approx(3.1),
        "reception.change_pct": pytest.approx(12.4),
        "vehicle_operation.change_pct": pytest.approx(8.6),
    }
    assert number(export, "total.change_pct") is None  # the run is the items', not the total's


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        ("公务用车运行维护费3.10万元，同比-8.6%。", "vehicle_operation.change_pct", -8.6),
        ("公务用车运行维护费3.10万元，同比变动-8.6%。", "vehicle_operation.change_pct", -8.6),
        ("公务用车运行维护费3.10万元，同比增减-8.6%。", "vehicle_operation.change_pct", -8.6),
        ("“三公”经费支出7.20万元，比上年-1.44万元。", "total.change", -1.44),
        ("“三公”经费支出7.20万元，比上年+1.44万元。", "total.change", 1.44),
    ],
)
def test_a_signed_figure_after_a_comparison_is_the_change(
    text: str, path: str, expected: float
) -> None:
    export = read(text)
    got = get_path(export, f"three_public.{path}")
    assert got is not None and got.signed == pytest.approx(expected)
    assert number(export, path.split(".")[0] + ".previous") is None


CONSISTENT_THREE_PUBLIC = (
    "2023年“三公”经费支出合计7.20万元，上年8.64万元，同比下降16.7%，即减少1.44万元。"
    "其中：因公出国（境）费0万元，与上年持平；公务接待费1.20万元，上年1.37万元，增减-0.17万元；"
    "公务用车购置及运行维护费6.00万元，全部为运行维护费，比上年的7.27万元减少1.27万元。\n"
    "公务用车运行维护费6.00万元。较上年下降17.5%。\n"
)


def test_a_consistent_paragraph_of_every_phrasing_raises_no_error() -> None:
    export = read(CONSISTENT_THREE_PUBLIC)
    got = {
        path: number(export, path)
        for path in (
            "total.previous",
            "total.change",
            "overseas.change",
            "reception.change",
            "vehicle_operation.actual",
            "vehicle.change",
        )
    }
    assert got == {
        "total.previous": pytest.approx(8.64),
        "total.change": pytest.approx(1.44),
        "overseas.change": 0,
        "reception.change": pytest.approx(-0.17),
        "vehicle_operation.actual": pytest.approx(6.0),
        "vehicle.change": pytest.approx(1.27),
    }
    errors = [f for f in run_checks(export) if f.severity == "error"]
    assert errors == [], [f.message_en for f in errors]


def test_a_planted_wrong_change_is_found() -> None:
    export = read(CONSISTENT_THREE_PUBLIC.replace("增减-0.17万元", "增减-0.71万元"))
    errors = [f for f in run_checks(export) if f.severity == "error"]
    assert any("three_public.reception.change" in f.paths for f in errors), errors


@pytest.mark.parametrize(
    "text",
    [
        "本年度没有新购公务用车，公务用车运行维护费3.10万元。",
        "全年无新增公务用车，公务用车运行维护费3.10万元。",
        "本年度严格控制，不购置公务用车，公车运维费3.10万元。",
        "公务用车购置费本年未发生，运行维护费3.10万元。",
    ],
)
def test_no_vehicle_bought_in_words_is_a_purchase_of_zero(text: str) -> None:
    export = read(text)
    assert number(export, "vehicle_purchase.actual") == 0
    assert number(export, "vehicle_operation.actual") == pytest.approx(3.1)
    assert number(export, "vehicle.actual") is None  # the combined item is not stated


@pytest.mark.parametrize(
    ("text", "item", "expected"),
    [
        ("公务接待费预算数、决算数、上年决算数分别为1.50万元、1.20万元、1.37万元。", "reception",
         {"budget": 1.5, "actual": 1.2, "previous": 1.37}),
        ("公务接待费上年、本年分别为1.37万元、1.20万元。", "reception",
         {"budget": None, "actual": 1.2, "previous": 1.37}),
        ("“三公”经费2023年预算数和决算数分别为9.00万元和7.20万元。", "total",
         {"budget": 9.0, "actual": 7.2, "previous": None}),
        ("“三公”经费2022年决算数、2023年决算数分别为8.64万元、7.20万元。", "total",
         {"budget": None, "actual": 7.2, "previous": 8.64}),
    ],
)  # fmt: skip
def test_one_items_columns_named_then_their_figures(text: str, item: str, expected: dict) -> None:
    export = read(text)
    got = {column: number(export, f"{item}.{column}") for column in expected}
    assert got == {c: None if v is None else pytest.approx(v) for c, v in expected.items()}
