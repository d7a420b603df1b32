"""Metadata in layouts first met in a blind test: a cover dated in Chinese numerals, the
signing date, an annex line over the title, a letter's heading after a cover block, the
unit's name in brackets under a generic title; a total score stated without 得分."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document

BODY = "\n一、基本情况\n本馆内设3个科室。\n二、部门整体支出情况\n全年支出300万元。\n"


def _report(text: str):  # noqa: ANN202
    export = extract_rules(read_document(text.encode(), "r.txt")).export
    return export.report, export.findings


@pytest.mark.parametrize(
    ("head", "year"),
    [
        ("青山县档案馆\n2022年度\n部门整体支出绩效自评报告\n\n二〇二三年三月\n", 2022),
        ("部门整体支出绩效自评报告\n（2021年度）\n\n二〇二二年二月\n", 2021),
        ("白石镇2023年度部门整体支出绩效自评报告\n\n二零二四年一月\n", 2023),
        ("绩效自评报告\n\n2022年度全年支出由本馆统筹。\n\n2023年3月\n", 2022),
    ],
)
def test_a_cover_date_is_not_the_year(head: str, year: int) -> None:
    r, findings = _report(head + BODY)
    assert r.fiscal_year.value == year
    assert [f for f in findings if "report.fiscal_year" in f.paths] == []


def test_a_signing_date_is_not_the_year() -> None:
    text = (
        "部门整体支出绩效自评报告\n"
        + BODY
        + "2022年度收支平衡。\n\n青山县档案馆\n二〇二三年三月十日\n"
    )
    r, findings = _report(text)
    assert (r.fiscal_year.value, str(r.report_date.value)) == (2022, "2023-03-10")
    assert [f for f in findings if "report.fiscal_year" in f.paths] == []


def test_a_date_alone_gives_no_year() -> None:
    r, _ = _report("青山县档案馆\n部门整体支出绩效自评报告\n\n二〇二三年三月\n" + BODY)
    assert r.fiscal_year is None


@pytest.mark.parametrize("annex", ["附件2", "附件：", "附件 3", "附表1"])
def test_a_title_under_an_annex_line(annex: str) -> None:
    r, _ = _report(f"{annex}\n青山县档案馆2022年度部门整体支出绩效自评报告\n" + BODY)
    assert r.title.value == "青山县档案馆2022年度部门整体支出绩效自评报告"
    assert (r.department.value, r.fiscal_year.value) == ("青山县档案馆", 2022)


@pytest.mark.parametrize("annex", ["附件2：", "附件2 ", "附件：", "附表1："])
def test_a_title_after_an_annex_mark_on_its_line(annex: str) -> None:
    r, _ = _report(f"{annex}青山县档案馆2022年度部门整体支出绩效自评报告\n" + BODY)
    assert r.title.value == "青山县档案馆2022年度部门整体支出绩效自评报告"
    assert (r.department.value, r.fiscal_year.value) == ("青山县档案馆", 2022)


@pytest.mark.parametrize(
    ("cover", "letter", "year"),
    [
        ("白石镇人民政府\n\n二〇二四年二月", "关于2023年度部门整体支出绩效自评的报告", 2023),
        ("青山县档案馆", "关于2022年度部门整体支出绩效自评情况的报告", 2022),
        ("青山县档案馆\n2022年3月", "关于青山县档案馆2021年度部门整体支出绩效评价的报告", 2021),
    ],
)
def test_a_letter_heading_keeps_the_cover_out(cover: str, letter: str, year: int) -> None:
    r, _ = _report(f"{cover}\n\n{letter}\n\n县财政局：\n现将自评情况报告如下。" + BODY)
    assert r.title.value == letter
    assert r.fiscal_year.value == year


@pytest.mark.parametrize(
    ("under", "name"),
    [("（青山县档案馆）", "青山县档案馆"), ("(白石镇人民政府)", "白石镇人民政府")],
)
def test_a_unit_in_brackets_under_a_generic_title(under: str, name: str) -> None:
    r, _ = _report(f"部门整体支出绩效自评报告\n{under}\n" + BODY)
    assert r.department.value == name


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("部门整体支出绩效自评报告（青山县档案馆）", "青山县档案馆"),
        ("2022年度部门整体支出绩效自评报告(白石镇人民政府)", "白石镇人民政府"),
        ("部门整体支出绩效自评报告（征求意见稿）", None),
    ],
)
def test_a_unit_in_brackets_after_a_generic_title(title: str, name: str | None) -> None:
    r, _ = _report(f"{title}\n" + BODY)
    assert (r.department.value if r.department else None) == name


def test_brackets_under_a_title_that_names_its_unit() -> None:
    r, _ = _report("青山县档案馆部门整体支出绩效自评报告\n（2022年度）\n" + BODY)
    assert (r.department.value, r.fiscal_year.value) == ("青山县档案馆", 2022)


HEAD = "部门整体支出绩效自评报告\n\n一、基本情况\n本所内设3个股室。\n五、评价结论\n"


@pytest.mark.parametrize(
    ("sentence", "score", "grade"),
    [
        ("经自评，本所自评96分，等级为优。", 96, "优"),
        ("本所自评得98分。", 98, None),
        ("经评价，综合评分为91.5分。", 91.5, None),
        ("评价得分为88分（良好）。", 88, "良好"),
        ("本单位自评分数95分，等级（优）。", 95, "优"),
        ("经评价得九十分（优秀）。", 90, "优秀"),
        ("自评结果为93.5分(等级：优)。", 93.5, "优"),
        ("最终评定得分96分，等级为优。", 96, "优"),
        ("本次自评得分为：96.5分，评定等级：优秀。", 96.5, "优秀"),
        ("综合得分是：88分。", 88, None),
        ("评价等级（优），得分96分。", 96, "优"),
        ("综合评定为“良好”等次，评分85分。", 85, "良好"),
        ("绩效评价得分96分，属优秀等级。", 96, "优秀"),
        ("本次评价总分100分，自评得分96分。", 96, None),
    ],
)
def test_a_score_without_defen(sentence: str, score: float, grade: str | None) -> None:
    r, _ = _report(HEAD + sentence + "\n")
    assert (r.total_score.value, r.total_score.unit) == (score, "分")
    assert (r.grade.value if r.grade else None) == grade


@pytest.mark.parametrize(
    "sentence",
    [
        "项目自评90分，指标自评9分。",
        "本年度对3个项目开展自评，均达到90分以上。",
        "该指标自评得9分。",
        "该指标评定得分9分。",
        "预算执行率指标分值10分，自评8分。",
        "年度考核等次（优秀）2人。",
    ],
)
def test_not_a_total_score(sentence: str) -> None:
    r, _ = _report(HEAD + sentence + "\n")
    assert r.total_score is None
    assert r.grade is None
