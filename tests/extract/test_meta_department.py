"""The department (部门/单位名称) from wherever a template states it: a cover form on lines
or in cells, a running header, the first sentence, a signature; never a notice's issuer."""

from __future__ import annotations

import pymupdf
import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document
from tests.ingest.pdfgen import draw_table, new_page, to_bytes, write_lines

TITLE = "部门整体支出绩效自评报告"
BODY = "一、部门基本情况\n本单位内设4个科室，2023年度部门整体支出完成情况如下。\n"


def _out(text: str):  # noqa: ANN202
    return extract_rules(read_document(text.encode(), "r.txt")).export


def _findings(export, path: str) -> list:  # noqa: ANN001
    return [f for f in export.findings if path in f.paths]


@pytest.mark.parametrize(
    ("cover", "unit"),
    [
        ("单位名称：桃溪县第三小学", "桃溪县第三小学"),
        ("部门（单位）名称:桃溪县妇幼保健院", "桃溪县妇幼保健院"),
        ("填报单位：桃溪县文化馆（盖章）", "桃溪县文化馆"),
        ("评价单位：  桃溪县城南街道办事处", "桃溪县城南街道办事处"),
        ("预算单位：桃溪县机关事务服务中心", "桃溪县机关事务服务中心"),
        ("单 位 名 称：桃溪县动物疫病预防控制中心", "桃溪县动物疫病预防控制中心"),
        ("单位名称\n桃溪县石门乡人民政府", "桃溪县石门乡人民政府"),
        ("部门（单位）名称：\n\n桃溪县人大常委会办公室", "桃溪县人大常委会办公室"),
        ("单位名称：桃溪县气象站    预算编码：418002", "桃溪县气象站"),
        ("单位（盖章）：桃溪县融媒体中心", "桃溪县融媒体中心"),
        ("报告单位：桃溪县总工会", "桃溪县总工会"),
    ],
)
def test_a_cover_form_written_as_lines(cover: str, unit: str) -> None:
    r = _out(f"{TITLE}\n\n{cover}\n\n{BODY}").report
    assert r.department.value == unit
    assert r.department.source.locator == "cover"


def test_label_and_value_in_cells_of_a_flattened_table() -> None:
    cover = "单位名称\t桃溪县第一幼儿园\n预算编码\t063010\n评价年度\t2022年\n"
    r = _out(f"{TITLE}\n\n{cover}\n{BODY}").report
    assert (r.department.value, r.budget_code.value, r.fiscal_year.value) == (
        "桃溪县第一幼儿园",
        "063010",
        2022,
    )
    assert r.department.source.locator == "cover"


def test_label_above_its_value_in_a_ruled_pdf_table() -> None:
    doc = pymupdf.open()
    page = new_page(doc)
    write_lines(page, [TITLE], y=60, fontsize=16)
    cells = [
        (0, 0, 1, 1, "单位名称"),
        (0, 1, 1, 1, "预算编码"),
        (1, 0, 1, 1, "桃溪县卫生健康局"),
        (1, 1, 1, 1, "502001"),
    ]
    draw_table(page, 72, 100, [200, 120], [24, 24], cells)
    write_lines(page, BODY.strip().split("\n"), y=200)
    r = extract_rules(read_document(to_bytes(doc), "r.pdf")).export.report
    assert r.department.value == "桃溪县卫生健康局"
    assert r.budget_code.value == "502001"
    assert r.department.source.page == 1 and r.department.source.boxes


def _paged_pdf(header: str, first_page: list[str]) -> bytes:
    doc = pymupdf.open()
    for number in range(1, 5):
        page = new_page(doc)
        if number > 1:
            write_lines(page, [header], y=40, fontsize=9)
        lines = first_page if number == 1 else [f"（{number}）本单位第{number}项工作按计划完成。"]
        write_lines(page, lines, y=100)
        write_lines(page, [f"- {number} -"], y=800, fontsize=9)
    return to_bytes(doc)


def test_a_running_header_names_the_unit() -> None:
    data = _paged_pdf("云峰县档案馆", [TITLE, "", *BODY.strip().split("\n")])
    r = extract_rules(read_document(data, "r.pdf")).export.report
    assert r.department.value == "云峰县档案馆"
    assert r.department.source.locator == "header"
    assert r.department.source.page == 2


def test_a_running_header_holding_the_title() -> None:
    header = "云峰县档案馆2023年度部门整体支出绩效自评报告"
    data = _paged_pdf(header, [TITLE, "", *BODY.strip().split("\n")])
    r = extract_rules(read_document(data, "r.pdf")).export.report
    assert (r.department.value, r.department.source.locator) == ("云峰县档案馆", "header")
    assert (r.fiscal_year.value, r.title.value) == (2023, TITLE)


def test_the_cover_form_beats_a_running_header_without_a_contradiction() -> None:
    data = _paged_pdf("县档案馆", [TITLE, "单位名称：云峰县档案馆", "", *BODY.strip().split("\n")])
    export = extract_rules(read_document(data, "r.pdf")).export
    assert export.report.department.value == "云峰县档案馆"
    assert export.report.department.source.locator == "cover"
    assert _findings(export, "report.department") == []


@pytest.mark.parametrize(
    ("sentence", "unit"),
    [
        ("石湾县第二中学（以下简称“我校”）创办于1958年，现有教学班36个。", "石湾县第二中学"),
        ("石湾县疾病预防控制中心是县卫生健康局所属公益一类事业单位。", "石湾县疾病预防控制中心"),
        ("（一）石湾县横塘镇卫生院位于横塘镇中心街，承担全镇基本医疗服务。", "石湾县横塘镇卫生院"),
        (
            "根据县财政局安排，石湾县青少年活动中心（以下简称“中心”）开展了自评。",
            "石湾县青少年活动中心",
        ),
    ],
)
def test_the_first_sentence_names_the_unit(sentence: str, unit: str) -> None:
    r = _out(f"{TITLE}\n\n一、基本情况\n{sentence}\n我单位2023年度收支平衡。\n").report
    assert r.department.value == unit
    assert r.department.source.locator == "prose"


@pytest.mark.parametrize(
    "sentence",
    [
        "根据县财政局《关于开展2023年度部门整体支出绩效自评工作的通知》要求，我局开展了自评。",
        "按照市财政局工作安排，本单位认真开展自评。",
        "我院是一所二级甲等综合医院，开放床位320张。",
        "本中心是县卫生健康局下属事业单位。",
        "根据石湾县财政局（以下简称“县财政局”）的通知，本单位开展了自评。",
    ],
)
def test_no_unit_from_a_notice_or_a_description(sentence: str) -> None:
    r = _out(f"{TITLE}\n\n一、基本情况\n{sentence}\n").report
    assert r.department is None


def test_a_unit_caption_is_not_a_unit() -> None:
    r = _out(f"石湾县{TITLE}\n\n一、基本情况\n单位：万元\n单位：个\n").report
    assert r.department is None


def test_the_body_that_printed_the_cover_is_not_the_unit() -> None:
    r = _out(f"石湾县{TITLE}\n\n评价方式：部门（单位）自评☑\n石湾县财政局（制）\n\n{BODY}").report
    assert r.department is None


def test_a_signature_names_the_unit_when_nothing_else_does() -> None:
    text = f"{TITLE}\n\n{BODY}五、评价结论\n本单位自评得分91分。\n\n石湾县水文站\n2024年3月12日\n"
    r = _out(text).report
    assert (r.department.value, r.department.source.locator) == ("石湾县水文站", "signature")
    assert r.report_date.value.isoformat() == "2024-03-12"


@pytest.mark.parametrize(
    "table",
    [
        "序号\t单位名称\t补助金额\n1\t石湾县第一中学\t20\n2\t石湾县第二中学\t30\n3\t石湾县实验小学\t15\n",
        "序号\t补助金额\t单位名称\n1\t20\t石湾县第一中学\n2\t30\t石湾县第二中学\n3\t15\t石湾县实验小学\n",
    ],
)
def test_a_list_of_units_in_a_table_is_not_the_department(table: str) -> None:
    export = _out(f"石湾县教育局2023年度{TITLE}\n\n一、基本情况\n下属学校补助如下：\n{table}")
    assert export.report.department.value == "石湾县教育局"
    assert _findings(export, "report.department") == []


@pytest.mark.parametrize(
    ("opening", "unit"),
    [
        (
            "根据县财政局通知要求，白鹭县归侨联合会对2023年度部门整体支出开展了自评。",
            "白鹭县归侨联合会",
        ),
        (
            "按照《预算法》及相关规定，松川市档案馆组织开展了2022年度整体支出绩效自评。",
            "松川市档案馆",
        ),
        (
            "为提高财政资金使用效益，鹿鸣县农业技术推广站于2024年3月成立了自评工作小组。",
            "鹿鸣县农业技术推广站",
        ),
        ("2023年，柳岸镇中心卫生院认真落实基本公共卫生服务项目。", "柳岸镇中心卫生院"),
        (
            "依据市财政局统一部署 ，桂山区科学技术协会对本年度预算资金使用情况进行了评价。",
            "桂山区科学技术协会",
        ),
        ("青禾县侨联对2022年度部门整体支出开展了自评，现将情况报告如下。", "青禾县侨联"),
    ],
)
def test_the_opening_sentence_names_the_unit_after_a_lead_in(opening: str, unit: str) -> None:
    """The preamble (before the first heading) or the first sentence of the body: a lead-in
    clause (根据…要求，), then the unit doing the evaluation."""
    for text in (f"{TITLE}\n\n{opening}\n{BODY}", f"{TITLE}\n\n{BODY}{opening}\n"):
        r = _out(text).report
        assert (r.department.value, r.department.source.locator) == (unit, "prose")


@pytest.mark.parametrize(
    ("opening", "unit"),
    [
        (
            "根据县财政局要求，我们对云岭县气象局2023年度部门整体支出开展了绩效自评。",
            "云岭县气象局",
        ),
        ("现将长滩镇人民政府2022年度整体支出绩效自评情况报告如下：", "长滩镇人民政府"),
        (
            "按照工作安排，本次对明溪县老干部活动中心 2024年度预算资金使用情况进行了评价。",
            "明溪县老干部活动中心",
        ),
        ("苍梧县地方志编纂室2023年度部门整体支出绩效自评情况如下。", "苍梧县地方志编纂室"),
        ("为此，北岭乡农业综合服务站2022年度整体支出自评结果报告如下。", "北岭乡农业综合服务站"),
    ],
)
def test_the_opening_names_the_unit_as_what_is_evaluated(opening: str, unit: str) -> None:
    """The unit as the object: 对XX局2023年度…开展自评, 现将XX镇2022年度…报告如下."""
    r = _out(f"{TITLE}\n\n{opening}\n{BODY}").report
    assert (r.department.value, r.department.source.locator) == (unit, "prose")


@pytest.mark.parametrize(
    "opening",
    [
        "根据县财政局通知要求，我局对2023年度部门整体支出开展了自评。",
        "根据县财政局统一部署，各预算单位对2023年度部门整体支出开展了自评。",
        "按照年度工作安排，县财政局对我单位2023年度整体支出开展了重点评价。",
        "根据工作需要，县财政局委托第三方机构开展评价。",
    ],
)
def test_no_unit_from_an_opening_that_names_another_body(opening: str) -> None:
    r = _out(f"{TITLE}\n\n{opening}\n{BODY}").report
    assert r.department is None


def test_a_lead_in_deep_in_the_report_is_no_opening() -> None:
    filler = "本单位各项工作有序推进，资金使用规范。" * 40
    text = f"{TITLE}\n\n{BODY}{filler}\n三、存在问题\n根据审计意见，县审计局对我单位进行了检查。\n"
    assert _out(text).report.department is None


def test_an_opening_wrapped_over_pdf_lines() -> None:
    """In a PDF the opening sentence wraps inside the unit's name; the year and the unit
    still come from it, grounded on page 1."""
    doc = pymupdf.open()
    page = new_page(doc)
    lines = [
        TITLE,
        "",
        "2022年，在县委、县政府的坚强领导下和上级侨联的精心指导下，鹤鸣县归国华侨",
        "联合会紧紧围绕中心工作，圆满完成了各项任务。",
        "一、部门基本情况",
        "本会内设2个科室，全年收支平衡。",
    ]
    write_lines(page, lines, y=100)
    r = extract_rules(read_document(to_bytes(doc), "r.pdf")).export.report
    assert (r.department.value, r.department.source.locator) == ("鹤鸣县归国华侨联合会", "prose")
    assert (r.fiscal_year.value, r.fiscal_year.source.page) == (2022, 1)
    assert r.department.source.page == 1 and r.department.source.boxes
