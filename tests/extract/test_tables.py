"""Tables mapped by their headers: column-name variants, shifted cells, continuation over a
page break, units from captions."""

from __future__ import annotations

from service.extract import ExtractOptions, extract
from tests.extract.docs import text_doc

BASIC = [
    ["经费控制情况(万元)", "2023年决算数", "2024年预算数", "2024年决算数"],
    ["支出总额", "100", "120", "110"],
    ["基本支出", "60", "70", "65"],
    ["项目支出", "40", "50", "45"],
]
REST = [
    ["三公经费", "4.7", "5.7", "4.91"],
    ["3、公务接待", "1.9", "1.9", "1.89"],
]


def _export(lines: list[str], tables: dict[int, list[list[str]]]):  # noqa: ANN202
    result = extract(text_doc(lines, tables), ExtractOptions(extractor="rules"))
    assert result.status == "success", result.errors
    return result.export


def test_money_table_continued_on_the_next_page() -> None:
    e = _export(["附件1", "基础数据表", "续表"], {1: BASIC, 2: REST})
    assert [str(line.item.value) for line in e.budget.lines] == [
        "支出总额",
        "基本支出",
        "项目支出",
        "三公经费",
        "3、公务接待",
    ]
    assert e.three_public.total.actual.value == 4.91
    assert e.three_public.total.previous.value == 4.7
    assert e.three_public.reception.budget.value == 1.9
    assert e.budget.total_expenditure.value == 110


def test_plan_columns_and_unit_caption() -> None:
    table = [
        ["项目", "年初预算数", "调整后预算数", "决算数", "执行率"],
        ["支出合计", "11803700", "12857500", "12492100", "97.16%"],
        ["基本支出", "6000000", "6700000", "6766300", "100.99%"],
    ]
    e = _export(["收支情况表", "单位：元"], {1: table})
    assert e.budget.total_expenditure.value == 1249.21
    assert e.budget.total_expenditure.original_unit == "元"
    assert (e.budget.initial_budget.value, e.budget.full_year_budget.value) == (1180.37, 1285.75)
    assert e.budget.execution_rate.value == 97.16
    assert e.budget.lines[1].execution_rate.value == 100.99


def test_indicator_columns_of_another_province() -> None:
    table = [
        ["一级指标", "二级指标", "指标名称", "目标值", "实际值", "权重", "自评得分", "未完成原因"],
        [
            "产出指标",
            "数量指标",
            "新建高标准农田面积",
            "11510亩",
            "10694亩",
            "9",
            "8.5",
            "天气影响",
        ],
        ["", "", "培训人数", "790人", "893人", "9", "9", ""],
        ["合计", "", "", "", "", "18", "17.5", ""],
    ]
    e = _export(["绩效指标完成情况表"], {0: table})
    first, second = e.indicators
    assert (first.level1.value, first.level2.value, first.level3.value) == (
        "产出指标",
        "数量指标",
        "新建高标准农田面积",
    )
    assert (first.target.value, first.target.unit, first.actual.value) == (11510, "亩", 10694)
    assert (first.weight.value, first.score.value, first.deviation.value) == (9, 8.5, "天气影响")
    assert (second.level1.value, second.level2.value) == ("产出指标", "数量指标")  # filled down
    assert e.report.total_score.value == 17.5
    assert e.findings == []


def test_indicator_table_continued_under_its_repeated_header() -> None:
    # A scan's OCR reads each page's part as a table of its own, the header repeated on top.
    header = ["一级指标", "二级指标", "指标名称", "目标值", "实际值", "权重", "自评得分"]
    first = [
        header,
        ["产出指标", "数量指标", "新建高标准农田面积", "11510亩", "11694亩", "9", "9"],
        ["", "", "培训人数", "790人", "893人", "9", "9"],
    ]
    second = [
        header,
        ["", "", "发放补贴户数", "2070户", "2101户", "8", "8"],
        ["效益指标", "社会效益指标", "群众满意度", "≥90%", "96%", "10", "10"],
        ["合计", "", "", "", "", "36", "36"],
    ]
    e = _export(["绩效指标完成情况表", "续表"], {0: first, 1: second})
    rows = [(i.level1.value, i.level2.value, i.level3.value, i.score.value) for i in e.indicators]
    assert rows == [
        ("产出指标", "数量指标", "新建高标准农田面积", 9),
        ("产出指标", "数量指标", "培训人数", 9),
        ("产出指标", "数量指标", "发放补贴户数", 8),  # filled down across the break
        ("效益指标", "社会效益指标", "群众满意度", 10),
    ]


def test_total_score_on_a_continued_part_without_header() -> None:
    header = ["一级指标", "二级指标", "三级指标", "指标值", "实际完成值", "分值", "得分"]
    first = [header, ["产出指标", "数量指标", "培训人数", "790人", "893人", "50", "50"]]
    rest = [
        ["", "", "检查企业", "100家", "120家", "50", "50"],
        ["总分", "100分", "100分", "", "", "", ""],
    ]
    e = _export(["部门整体支出绩效自评表", "续表"], {0: first, 1: rest})
    assert [i.level3.value for i in e.indicators] == ["培训人数", "检查企业"]
    assert e.report.total_score.value == 100
