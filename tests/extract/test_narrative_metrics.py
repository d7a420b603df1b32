"""The figures of achievement sentences: value and unit with the name a reviewer would give
the counted thing, under achievement headings worded many ways or anywhere in a short report
without one, and what is not an achievement figure (budget fields, execution rates, dates,
document numbers, item markers, the same sum again in brackets)."""

from __future__ import annotations

import pymupdf

from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport
from tests.ingest.pdfgen import new_page, write_lines


def _read(text: str) -> ReportExport:
    return extract_rules(read_document(text.encode("utf-8"), "report.txt")).export


def _metrics(export: ReportExport) -> list[tuple[str | None, float | int | None, str | None]]:
    return [(m.name, m.value.value, m.value.unit) for a in export.achievements for m in a.metrics]


def test_figures_with_the_name_of_what_they_count() -> None:
    export = _read(
        "二、履职情况\n全年办理行政处罚案件157件，完成造林面积1.2万亩。\n"
        "2023年接诊门诊患者3.6万人次，学生体质健康达标率96.5%。\n"
        "开展培训12期，培训人员860人次。\n发放补贴资金236.5万元，惠及农户1,024户。"
    )
    assert _metrics(export) == [
        ("办理行政处罚案件", 157, "件"),
        ("造林面积", 1.2, "万亩"),
        ("接诊门诊患者", 3.6, "万人次"),
        ("学生体质健康达标率", 96.5, "%"),
        ("培训", 12, "期"),
        ("培训人员", 860, "人次"),
        ("补贴资金", 236.5, "万元"),
        ("惠及农户", 1024, "户"),
    ]
    assert export.achievements[0].section == "履职情况"


def test_achievement_headings_worded_many_ways() -> None:
    for heading in (
        "（二）主要绩效",
        "三、产出情况",
        "2.项目实施成效",
        "四、取得的成绩",
        "（一）年度目标完成情况",
    ):
        export = _read(f"{heading}\n全年新建村级卫生室8所，群众满意度达到97.3%。")
        assert _metrics(export) == [("新建村级卫生室", 8, "所"), ("群众满意度", 97.3, "%")], heading


def test_a_short_report_without_an_achievement_heading() -> None:
    export = _read(
        "某县文化馆2023年度部门整体支出绩效自评报告\n"
        "本单位2023年收入合计320万元，支出合计318万元，预算执行率99.4%。根据县财绩〔2023〕5号文件"
        "要求开展自评。全年举办公益展览24场，接待群众5.2万人次，送戏下乡演出36场。\n"
        "存在的问题：文化活动品牌影响力不足。"
    )
    assert _metrics(export) == [
        ("举办公益展览", 24, "场"),
        ("接待群众", 5.2, "万人次"),
        ("送戏下乡演出", 36, "场"),
    ]
    assert [str(p.text.value) for p in export.problems] == ["文化活动品牌影响力不足。"]


def test_budget_figures_and_the_same_sum_in_brackets_are_not_metrics() -> None:
    export = _read(
        "第三部分 主要工作成效\n"
        "1.2023年“三公”经费支出24400.00元（2.44万元），同比下降86.03%。\n"
        "2.全年支出总额1482.32万元，预算执行率98.2%，在职人员32人。\n"
        "3.发放耕地地力保护补贴44867200.00元（4486.72万元），惠及农户45342户。"
    )
    assert _metrics(export) == [
        ("耕地地力保护补贴", 4486.72, "万元"),
        ("惠及农户", 45342, "户"),
    ]


def test_metrics_of_a_sentence_wrapped_in_a_pdf() -> None:
    doc = pymupdf.open()
    page = new_page(doc)
    write_lines(
        page,
        [
            "三、年度目标完成情况",
            "全年完成义务植树面积1,850亩，组织开展森林防火巡查420",
            "次，林区火灾受害率控制在0.3‰以内。",
        ],
    )
    export = extract_rules(read_document(doc.tobytes(), "report.pdf")).export
    assert _metrics(export)[:2] == [("义务植树面积", 1850, "亩"), ("森林防火巡查", 420, "次")]


def test_a_change_keeps_its_direction_and_done_so_far_keeps_already() -> None:
    export = _read(
        "二、工作开展情况\n全年受理消费投诉641件，已办结612件，办结率95.5%，挽回损失同比增长12.4%。"
    )
    assert _metrics(export) == [
        ("受理消费投诉", 641, "件"),
        ("已办结", 612, "件"),
        ("办结率", 95.5, "%"),
        ("挽回损失同比增长", 12.4, "%"),
    ]


def test_ordinals_are_not_counts() -> None:
    export = _read("二、工作开展情况\n第2批次开展消防培训3期，第3季度完成验收项目12个。")
    assert _metrics(export) == [("消防培训", 3, "期"), ("验收项目", 12, "个")]


def test_numbered_result_lines_are_named_by_their_part() -> None:
    export = _read(
        "四、主要工作成效\n1.2023年，全年检疫生猪7322头，无害化处理病死畜禽296头。\n"
        "2.全年排查化解矛盾纠纷96件，调处成功率96.2%。"
    )
    got = [(a.section, a.text.value) for a in export.achievements]
    assert got == [
        ("主要工作成效", "2023年,全年检疫生猪7322头,无害化处理病死畜禽296头。"),
        ("主要工作成效", "全年排查化解矛盾纠纷96件,调处成功率96.2%。"),
    ]
