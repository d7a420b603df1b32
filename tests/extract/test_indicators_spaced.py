"""A 自评表 pasted as text with its cells parted by single spaces and its 一级/二级 names
written once, on the first row of their group (merged cells flattened): the later rows
start with the 三级 name only. Names no list knows are levels by their place before the
name; one column named plainly 指标 before 三级指标 is the level above."""

from __future__ import annotations

from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport


def _text(lines: list[str]) -> ReportExport:
    data = ("某街道办事处2025年度部门整体支出绩效自评报告\n" + "\n".join(lines) + "\n").encode()
    return extract_rules(read_document(data, "copy.txt")).export


def _rows(e: ReportExport) -> list[tuple]:
    def v(x):  # noqa: ANN001, ANN202
        return None if x is None else x.value

    return [
        (v(i.level1), v(i.level2), v(i.level3), v(i.target), v(i.actual), v(i.weight), v(i.score))
        for i in e.indicators
    ]


def test_unknown_level_names_written_once() -> None:
    e = _text(
        [
            "（三）绩效自评表",
            "一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因",
            "履职效能 工作数量 走访企业户数 ≥80户 86户 10 10",
            "调解纠纷件数 ≥150件 171件 10 10",
            "工作质量 调解成功率 ≥95% 93.5% 10 8 个别纠纷历史遗留",
            "公众评价 服务对象满意度 居民满意度 ≥90% 96% 10 10",
            "合计 40 38",
        ]
    )
    assert _rows(e) == [
        ("履职效能", "工作数量", "走访企业户数", 80, 86, 10, 10),
        ("履职效能", "工作数量", "调解纠纷件数", 150, 171, 10, 10),
        ("履职效能", "工作质量", "调解成功率", 95, 93.5, 10, 8),
        ("公众评价", "服务对象满意度", "居民满意度", 90, 96, 10, 10),
    ]
    assert e.indicators[2].deviation.value == "个别纠纷历史遗留"
    assert e.report.total_score.value == 38


def test_known_levels_words_for_targets_and_decimal_scores() -> None:
    e = _text(
        [
            "一级指标 二级指标 指标名称 目标值 实际值 权重 自评得分",
            "产出指标 数量指标 发放救助金人数 不少于320人 347人 10 10",
            "培训场次 12场 12场 10 10",
            "时效指标 审批办结时限 ≤15天 12天 10 9.5",
            "效益指标 社会效益指标 政策知晓率 85% 90% 20 20",
            "总分 50 49.5",
        ]
    )
    assert _rows(e) == [
        ("产出指标", "数量指标", "发放救助金人数", 320, 347, 10, 10),
        ("产出指标", "数量指标", "培训场次", 12, 12, 10, 10),
        ("产出指标", "时效指标", "审批办结时限", 15, 12, 10, 9.5),
        ("效益指标", "社会效益指标", "政策知晓率", 85, 90, 20, 20),
    ]
    assert e.indicators[2].target.comparator == "≤"


def test_one_plain_level_column_before_the_third_level() -> None:
    e = _text(
        [
            "附表 整体绩效自评",
            "指标 三级指标 指标值 完成值 权重 自评分",
            "履职效能 接收档案数量 ≥3000卷 3412卷 20 20",
            "档案完好率 100% 100% 10 10",
            "公众评价 查档满意度 ≥90% 95% 10 9",
            "总分 40 39",
        ]
    )
    assert _rows(e) == [
        ("履职效能", None, "接收档案数量", 3000, 3412, 20, 20),
        ("履职效能", None, "档案完好率", 100, 100, 10, 10),
        ("公众评价", None, "查档满意度", 90, 95, 10, 9),
    ]


def test_level2_only_column_keeps_the_known_level1() -> None:
    e = _text(
        [
            "二级指标 三级指标 年度目标值 全年实际值 分值 得分",
            "产出指标",
            "出诊时效 急救响应时间 ≤12分钟 10.5分钟 10 10",
            "接诊质量 病历合格率 ≥95% 97% 10 10",
            "总分 20 20",
        ]
    )
    assert [(r[0], r[1], r[2]) for r in _rows(e)] == [
        ("产出指标", "出诊时效", "急救响应时间"),
        ("产出指标", "接诊质量", "病历合格率"),
    ]


def test_text_targets_and_actuals_parted_by_spaces() -> None:
    e = _text(
        [
            "三级指标 指标值 实际完成值 分值 得分",
            "产出指标",
            "时效指标",
            "资金拨付时限 及时 基本及时 10 8",
            "报表报送 按时报送 按时报送 5 5",
            "效益指标",
            "社会效益指标",
            "辖区治安状况 持续向好 明显好转 10 10",
            "总分 25 23",
        ]
    )
    assert _rows(e) == [
        ("产出指标", "时效指标", "资金拨付时限", "及时", "基本及时", 10, 8),
        ("产出指标", "时效指标", "报表报送", "按时报送", "按时报送", 5, 5),
        ("效益指标", "社会效益指标", "辖区治安状况", "持续向好", "明显好转", 10, 10),
    ]
