"""Problems (存在的问题) and measures (改进措施) in any template, read through the real
plain-text reader: headings worded many ways and numbered in any style, inline “一是…；二是…”,
run-in headings inside a paragraph, a combined part with both interleaved, and the answer
that there is nothing to report."""

from __future__ import annotations

import pymupdf

from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ListItem, ReportExport
from tests.ingest.pdfgen import new_page, write_lines


def _read(text: str) -> ReportExport:
    return extract_rules(read_document(text.encode("utf-8"), "report.txt")).export


def _texts(items: list[ListItem]) -> list[str]:
    return [str(i.text.value) for i in items]


def _lists(text: str) -> tuple[list[str], list[str]]:
    export = _read(text)
    for item in export.problems + export.measures:
        assert item.text.source is not None and item.text.raw.strip()
    return _texts(export.problems), _texts(export.measures)


def test_headings_worded_and_numbered_in_many_ways() -> None:
    cases = [
        "五、存在的主要问题\n1.预算编制不够精细，年中追加调整较多。\n2.绩效目标设置偏宽泛，量化指标少。\n"
        "六、下一步改进措施\n（1）加强财务人员业务培训，提升核算质量。\n（2）完善资产管理台账，做到账实相符。",
        "（三）问题和不足\n1、预算编制不够精细，年中追加调整较多。\n2、绩效目标设置偏宽泛，量化指标少。\n"
        "（四）整改措施\n①加强财务人员业务培训，提升核算质量。\n②完善资产管理台账，做到账实相符。",
        "存在的不足\n一是预算编制不够精细，年中追加调整较多。\n二是绩效目标设置偏宽泛，量化指标少。\n"
        "改进方向\n一是加强财务人员业务培训，提升核算质量。\n二是完善资产管理台账，做到账实相符。",
    ]
    for text in cases:
        assert _lists(text) == (
            ["预算编制不够精细,年中追加调整较多。", "绩效目标设置偏宽泛,量化指标少。"],
            ["加强财务人员业务培训,提升核算质量。", "完善资产管理台账,做到账实相符。"],
        ), text


def test_inline_items_after_a_heading_or_in_its_line() -> None:
    cases = [
        "四、问题和不足\n一是资产登记更新不及时；二是政府采购计划执行偏慢。\n"
        "五、意见建议\n一是细化绩效目标；二是加快预算执行进度。",
        "五、存在的问题：一是资产登记更新不及时；二是政府采购计划执行偏慢。\n"
        "六、下一步工作计划：（1）细化绩效目标；（2）加快预算执行进度。",
    ]
    for text in cases:
        assert _lists(text) == (
            ["资产登记更新不及时", "政府采购计划执行偏慢。"],
            ["细化绩效目标", "加快预算执行进度。"],
        ), text


def test_a_lead_that_says_something_keeps_its_items_together() -> None:
    problems, measures = _lists(
        "三、主要问题\n内部控制制度执行不严，主要体现在：一是报销审核流于形式；二是合同管理台账缺失。\n"
        "四、下一步工作\n加强学习培训，提升全员绩效意识。"
    )
    assert problems == [
        "内部控制制度执行不严,主要体现在:一是报销审核流于形式;二是合同管理台账缺失。"
    ]
    assert measures == ["加强学习培训,提升全员绩效意识。"]


def test_run_in_headings_inside_paragraphs_elsewhere() -> None:
    problems, measures = _lists(
        "三、绩效评价结论\n本单位绩效自评得分95分。存在问题方面，一是项目前期论证不充分；"
        "二是资金拨付进度偏慢。\n针对上述问题，下一步我单位将：（1）强化项目库管理；"
        "（2）建立支出进度月通报制度。"
    )
    assert problems == ["项目前期论证不充分", "资金拨付进度偏慢。"]
    assert measures == ["强化项目库管理", "建立支出进度月通报制度。"]


def test_measures_after_problems_in_one_part() -> None:
    problems, measures = _lists(
        "五、存在的问题及原因分析\n1.乡镇站所仪器设备老化，检测能力不足。\n"
        "2.专业技术人员缺乏。\n针对以上问题，我局将：一是争取设备更新资金；二是引进专业人才。"
    )
    assert problems == ["乡镇站所仪器设备老化,检测能力不足。", "专业技术人员缺乏。"]
    assert measures == ["争取设备更新资金", "引进专业人才。"]


def test_combined_part_with_subheadings_or_interleaved_items() -> None:
    with_subheadings = _lists(
        "六、存在的问题及改进措施\n（一）存在的问题\n1.部分项目绩效目标不够明确。\n"
        "2.财务内控制度执行不到位。\n（二）改进措施\n1.组织绩效目标编制培训。\n2.开展内控制度执行检查。"
    )
    assert with_subheadings == (
        ["部分项目绩效目标不够明确。", "财务内控制度执行不到位。"],
        ["组织绩效目标编制培训。", "开展内控制度执行检查。"],
    )
    interleaved = _lists(
        "五、存在的问题及下一步打算\n1.问题：绩效自评质量有待提高。措施：邀请第三方开展业务指导。\n"
        "2.问题：资金支付进度不均衡。措施：按月通报支出进度。"
    )
    assert interleaved == (
        ["绩效自评质量有待提高。", "资金支付进度不均衡。"],
        ["邀请第三方开展业务指导。", "按月通报支出进度。"],
    )


def test_nothing_to_report_is_not_an_item() -> None:
    for nothing in ("无。", "暂无", "无其他问题。", "本单位无需要说明的问题。"):
        problems, measures = _lists(
            f"七、存在的问题\n{nothing}\n八、有关建议\n建议上级部门提前下达专项资金，便于项目及早实施。"
        )
        assert problems == [], nothing
        assert measures == ["建议上级部门提前下达专项资金,便于项目及早实施。"]


def test_a_short_first_sentence_is_the_items_title() -> None:
    export = _read(
        "四、存在问题及原因\n1.基层站所设备老化。主要原因是更新资金不足。\n"
        "2.专业技术人员缺乏，监测能力有限。"
    )
    got = [(i.title.value if i.title else None, i.text.value) for i in export.problems]
    assert got == [
        ("基层站所设备老化", "主要原因是更新资金不足。"),
        (None, "专业技术人员缺乏,监测能力有限。"),
    ]


def test_inline_items_wrapped_over_pdf_lines() -> None:
    doc = pymupdf.open()
    page = new_page(doc)
    write_lines(
        page,
        [
            "四、存在的问题",
            "一是部分绩效指标以定性表述为主；二是固定资产账实核对不及时；三",
            "是项目前期论证不够充分。",
        ],
    )
    export = extract_rules(read_document(doc.tobytes(), "report.pdf")).export
    assert _texts(export.problems) == [
        "部分绩效指标以定性表述为主",
        "固定资产账实核对不及时",
        "项目前期论证不够充分。",
    ]


def test_the_signature_closing_the_report_is_not_a_measure() -> None:
    for items in (
        "1.定期开展资产清查，做到账实相符。\n2.按季度通报支出进度。",
        "定期开展资产清查，做到账实相符。\n\n按季度通报支出进度。",
    ):
        _, measures = _lists(f"六、下一步改进措施\n{items}\n\n青禾县水利服务中心\n2024年3月12日")
        assert measures == ["定期开展资产清查,做到账实相符。", "按季度通报支出进度。"], items


def test_circled_and_unnumbered_run_in_headings() -> None:
    circled = _lists(
        "三、绩效分析\n①存在的问题\n1.预算执行进度偏慢。\n2.绩效目标不够细化。\n②改进措施\n1.按月通报支出进度。"
    )
    assert circled == (["预算执行进度偏慢。", "绩效目标不够细化。"], ["按月通报支出进度。"])
    run_in = _lists(
        "四、其他\n存在的问题。一是宣传渠道单一；二是专职人员不足。\n"
        "改进措施。一是拓宽宣传渠道；二是充实专职人员。"
    )
    assert run_in == (["宣传渠道单一", "专职人员不足。"], ["拓宽宣传渠道", "充实专职人员。"])
