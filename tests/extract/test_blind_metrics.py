"""Achievement figures counted in units first met in a blind test (页, 卷, 例, 批次 …), 万
before such a unit (a count, never 万元), and a figure whose name follows it."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document

HEAD = "部门整体支出绩效自评报告\n\n一、基本情况\n本馆内设3个科室。\n三、绩效目标完成情况\n"


def _metrics(sentence: str) -> list[tuple[str, float, str]]:
    export = extract_rules(read_document((HEAD + sentence + "\n").encode(), "r.txt")).export
    return [(m.name, m.value.value, m.value.unit) for a in export.achievements for m in a.metrics]


@pytest.mark.parametrize(
    ("sentence", "metric"),
    [
        ("全年完成档案数字化扫描120万页。", ("档案数字化扫描", 120, "万页")),
        ("本年度数字化档案2.4万页。", ("数字化档案", 2.4, "万页")),
        ("整理档案3500卷，移交进馆。", ("整理档案", 3500, "卷")),
        ("筛查病例1200例。", ("筛查病例", 1200, "例")),
        ("开展手术560例次。", ("手术", 560, "例次")),
        ("抽检食品320批次，合格率98%。", ("抽检食品", 320, "批次")),
        ("接待查档2300人次。", ("接待查档", 2300, "人次")),
        ("走访困难户860户。", ("走访困难户", 860, "户")),
        ("办理案件415件。", ("办理案件", 415, "件")),
        ("开展义诊活动45场。", ("义诊活动", 45, "场")),
        ("举办各类展览6场次。", ("举办各类展览", 6, "场次")),
        ("出动执法车辆120台次。", ("出动执法车辆", 120, "台次")),
        ("新建道路12.5公里。", ("新建道路", 12.5, "公里")),
        ("改造农田3000亩。", ("改造农田", 3000, "亩")),
        ("归档文书1.8万件。", ("归档文书", 1.8, "万件")),
        ("编纂志书30万字。", ("编纂志书", 30, "万字")),
        ("发放药品2万盒。", ("药品", 2, "万盒")),
    ],
)
def test_count_units(sentence: str, metric: tuple[str, float, str]) -> None:
    assert metric in _metrics(sentence)


@pytest.mark.parametrize(
    ("sentence", "metric"),
    [
        # the people served: the service names the figure, not who was served
        ("为5.46万名老年人发放补贴。", ("补贴人数", 5.46, "万名")),
        ("惠及2.3万户农户。", ("农户", 2.3, "万户")),
        ("覆盖860所学校，受益学生显著增加。", ("学校", 860, "所")),
        ("为全县860名残疾人提供康复服务。", ("康复服务人数", 860, "名")),
        ("向全市320家企业兑现奖补资金。", ("企业", 320, "家")),
        ("为辖区内1500户居民更换燃气管道。", ("居民", 1500, "户")),
    ],
)
def test_a_name_after_the_figure(sentence: str, metric: tuple[str, float, str]) -> None:
    assert metric in _metrics(sentence)


@pytest.mark.parametrize(
    ("sentence", "unit"),
    [
        ("全年征收税费300万元。", "万元"),
        ("档案扫描经费12万元。", "万元"),
        ("项目资金50万用于培训。", "万元"),
        ("接待3批次。", "批次"),
    ],
)
def test_money_stays_money_and_counts_stay_whole(sentence: str, unit: str) -> None:
    units = [u for _, _, u in _metrics(sentence)]
    assert unit in units
    assert "万页" not in units and "批" not in units


@pytest.mark.parametrize(
    ("sentence", "metric"),
    [
        ("1.档案数字化：完成120万页；", ("档案数字化", 120, "万页")),
        ("3.查档服务：全年接待2300人次。", ("查档服务", 2300, "人次")),
        ("（二）信访办理：累计办理来信415件。", ("办理来信", 415, "件")),
    ],
)
def test_a_label_before_its_colon_names_a_bare_verb(sentence: str, metric) -> None:  # noqa: ANN001
    assert metric in _metrics(sentence)
