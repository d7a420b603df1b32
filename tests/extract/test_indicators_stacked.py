"""An indicator table a plain-text copy flattened one cell per line, no tabs and no caption
over it: the header words each on a line, then every row's cells each on a line, a blank
line for a merged level written once or a reason nobody gave. Its rows are indicators and
its cells no achievement figures; a sentence under it is no row, and a money table in the
same shape is no indicator table."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport

INTRO = ["二、绩效目标完成情况", "本年度围绕年初设定的目标推进各项工作，具体如下。"]
AFTER = ["总体看，各项指标完成较好，个别指标受客观因素影响未达预期。"]

LEVELS = (
    ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
    [
        ["产出指标", "数量指标", "森林巡护面积", "≥3200公顷", "3415公顷", "20", "20"],
        ["", "", "防火宣传场次", "12场", "15场", "10", "10"],
        ["", "质量指标", "火情处置及时率", "100%", "98%", "20", "18"],
        ["效益指标", "生态效益", "森林覆盖率", "稳步提升", "稳步提升", "20", "20"],
    ],
)
REASONS = (
    ["一级指标", "二级指标", "三级指标", "目标值", "实际值", "权重", "得分", "偏差原因"],
    [
        ["产出", "数量", "档案数字化页数", "≥90万页", "86万页", "15", "13", "设备故障停工两周"],
        ["", "", "查档服务人次", "≥2000人次", "2316人次", "15", "15", ""],
        ["效益", "社会效益", "查档满意度", "≥90%", "95%", "10", "10", ""],
    ],
)
NAMES_ONLY = (
    ["三级指标", "指标值", "实际完成值", "分值", "得分"],
    [
        ["新增就业岗位", "≥500个", "562个", "10", "10"],
        ["职业技能培训人次", "≥1500人次", "1380人次", "10", "9"],
        ["培训合格率", "≥85%", "91%", "10", "10"],
    ],
)
# The same table with the merged levels' empty cells left out, not written as blank lines.
OMITTED = (
    LEVELS[0],
    [
        LEVELS[1][0],
        ["防火宣传场次", "12场", "15场", "10", "10"],
        ["质量指标", "火情处置及时率", "100%", "98%", "20", "18"],
        LEVELS[1][3],
    ],
)
LAYOUTS = {"levels": LEVELS, "reasons": REASONS, "names_only": NAMES_ONLY, "omitted": OMITTED}


def _text(header: list[str], rows: list[list[str]]) -> str:
    cells = [*header, *(c for row in rows for c in row)]
    return "\n".join(["部门整体支出绩效自评报告", *INTRO, *cells, *AFTER]) + "\n"


def _read(text: str) -> ReportExport:
    return extract_rules(read_document(text.encode(), "copy.txt")).export


def _figure(text: str) -> float:
    return float("".join(ch for ch in text if ch.isdigit() or ch == "."))


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_stacked_rows_are_indicators(layout: str) -> None:
    header, rows = LAYOUTS[layout]
    e = _read(_text(header, rows))
    name = header.index("三级指标")
    if layout == "omitted":
        rows = LEVELS[1]
    got = [(i.level3.value, i.weight.value, i.score.value) for i in e.indicators]
    assert got == [
        (
            r[name],
            _figure(r[-3 if layout == "reasons" else -2]),
            _figure(r[-2 if layout == "reasons" else -1]),
        )
        for r in rows
    ]
    for ind, row in zip(e.indicators, rows, strict=True):
        assert ind.actual is not None and ind.actual.raw.replace(" ", "") == row[name + 2]


@pytest.mark.parametrize("layout", ["levels", "omitted"])
def test_blank_levels_take_the_level_above(layout: str) -> None:
    e = _read(_text(*LAYOUTS[layout]))
    levels = [(i.level1.value, i.level2.value) for i in e.indicators]
    assert levels == [
        ("产出指标", "数量指标"),
        ("产出指标", "数量指标"),
        ("产出指标", "质量指标"),
        ("效益指标", "生态效益"),
    ]


def test_reason_column_and_blank_reasons() -> None:
    e = _read(_text(*REASONS))
    reasons = [i.deviation.value if i.deviation else None for i in e.indicators]
    assert reasons == ["设备故障停工两周", None, None]


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_cells_are_no_achievements(layout: str) -> None:
    e = _read(_text(*LAYOUTS[layout]))
    names = {c for row in LAYOUTS[layout][1] for c in row if c}
    for a in e.achievements:
        for m in a.metrics:
            assert m.name is None or m.name.value not in names, m


def test_sentence_under_the_table_is_no_row() -> None:
    e = _read(_text(*NAMES_ONLY))
    assert len(e.indicators) == 3
    assert all("总体看" not in (i.level3.value or "") for i in e.indicators)


def test_stacked_money_table_is_no_indicator_table() -> None:
    header = ["项目", "年初预算数", "调整预算数", "决算数"]
    rows = [
        ["基本支出", "820.00", "836.50", "815.32"],
        ["项目支出", "430.00", "452.10", "421.16"],
        ["合计", "1,250.00", "1,288.60", "1,236.48"],
    ]
    assert _read(_text(header, rows)).indicators == []


# A lead-in, a numbered list with amounts, then a caption and a 三公 table stacked one cell
# per line: the list's lines are no header words, so the list stays prose (its items are
# projects) and the table under it is read as the money table it is.
LISTS = {
    "dot": ["本年项目支出安排如下：", "1.河道保洁经费：36.2万元；", "2.水质监测经费：18.5万元；"],
    "paren": ["项目支出明细：", "（1）村级水管员补助，24万元", "（2）小型水利设施维修，31.6万元"],
    "circled": ["重点项目包括", "①防汛物资储备 12.80万元", "②山塘清淤 40.00万元"],
}
THREE_PUBLIC = ["项目", "2023年", "2022年", "增减"] + [
    *("公务接待费", "3.10", "3.60", "-0.50"),
    *("公务用车运行维护费", "5.20", "5.00", "0.20"),
    *("合计", "8.30", "8.60", "-0.30"),
]


@pytest.mark.parametrize("style", sorted(LISTS))
def test_a_numbered_list_is_no_header_of_the_table_under_it(style: str) -> None:
    text = "\n".join(
        [
            "某县水利局2023年度部门整体支出绩效自评报告",
            *LISTS[style],
            "表3 “三公”经费（单位：万元）",
        ]
        + THREE_PUBLIC
        + AFTER
    )
    e = _read(text + "\n")
    assert e.three_public.reception is not None and e.three_public.reception.actual is not None
    assert e.three_public.reception.actual.value == pytest.approx(3.10)
    assert e.three_public.total is not None and e.three_public.total.previous is not None
    assert e.three_public.total.previous.value == pytest.approx(8.60)
    assert e.indicators == []
