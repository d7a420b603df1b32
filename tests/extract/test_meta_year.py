"""The fiscal year evaluated (评价年度): from a label, the title, a phrase about the evaluated
budget; never from a document number, a plan's period, a work plan or the report's date."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document

NOISE = (
    "根据《东川县财政局关于开展绩效自评工作的通知》（东财绩〔2023〕5号）和《东川县“十四五”"
    "发展规划（2021—2025年）》，结合[2024]3号文件要求开展自评。"
)


def _out(text: str):  # noqa: ANN202
    return extract_rules(read_document(text.encode(), "r.txt")).export


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("绩效自评报告\n\n评价年度：2022年\n\n一、基本情况\n{noise}\n", 2022),
        (
            "绩效自评报告\n\n评 价 年 度：2021\n报告日期：2022年3月1日\n\n一、基本情况\n{noise}\n",
            2021,
        ),
        ("绩效自评报告\n\n一、基本情况\n{noise}2022年部门整体支出1200万元。\n", 2022),
        ("绩效评价报告\n\n一、基本情况\n{noise}2021年部门决算收支完成情况如下。\n", 2021),
        ("部门整体支出绩效自评报告\n2023年度\n\n一、基本情况\n{noise}\n", 2023),
        (
            "一、基本情况\n{noise}现对本局2022年度预算支出开展绩效自评。2024年工作计划另行报送。\n",
            2022,
        ),
        (
            "东川县水务局2023年度部门整体支出绩效自评报告\n\n一、基本情况\n{noise}"
            "较2022年度增长5%。\n五、下一步工作\n做好2024年度预算编制。\n",
            2023,
        ),
    ],
)
def test_the_evaluated_year(text: str, year: int) -> None:
    export = _out(text.format(noise=NOISE))
    assert export.report.fiscal_year.value == year
    assert [f for f in export.findings if "report.fiscal_year" in f.paths] == []


@pytest.mark.parametrize(
    "sentence",
    [
        NOISE,
        "本局2024年工作计划已报送，截至2023年12月31日全部完成。",
        "依据《东川县乡村振兴规划（2021-2025年）》执行。",
        "本局已制定2024年度工作计划，较2022年度有所调整。",
        "依据《东川县2021年度至2025年度农村公路养护规划》实施。",
        "东财〔2023年度〕8号文件已下达，2022年度—2024年度滚动实施。",
    ],
)
def test_years_that_are_not_the_evaluated_one(sentence: str) -> None:
    export = _out(f"绩效自评报告\n\n一、基本情况\n{sentence}\n")
    assert export.report.fiscal_year is None


def test_the_label_on_the_cover_is_the_cue() -> None:
    r = _out("绩效自评报告\n\n评价年度：2022年\n\n一、基本情况\n本局2022年度收支平衡。\n").report
    assert (r.fiscal_year.value, r.fiscal_year.raw, r.fiscal_year.source.locator) == (
        2022,
        "2022",
        "cover",
    )


def test_bare_years_vote_without_a_contradiction() -> None:
    export = _out(
        "绩效自评报告\n\n一、基本情况\n2023年度收入500万元。2023年度支出480万元。"
        "2021年度结转资金20万元已全部使用。\n"
    )
    assert export.report.fiscal_year.value == 2023
    assert [f for f in export.findings if "report.fiscal_year" in f.paths] == []


@pytest.mark.parametrize(
    ("opening", "year"),
    [
        ("2021年，本办在县委的领导下圆满完成各项工作。\n2022年，本办将继续做好服务保障。", 2021),
        ("2022年，我校紧紧围绕教育教学中心工作，办学质量稳步提升。", 2022),
        ("2023年全年，本中心共完成疫苗接种4.2万剂次。", 2023),
        ("在2020年，全站干部职工克服困难，完成了防汛任务。", 2020),
        ("2024 年本所共受理检测委托318批次。", 2024),
        ("2022年是全面推进乡村振兴的关键之年，本局扎实推进各项工作。", 2022),
    ],
)
def test_a_year_opening_the_first_sentence(opening: str, year: int) -> None:
    """A title without a year; the body opens with the year it tells about."""
    for text in (
        f"部门整体支出绩效自评报告\n\n{opening}\n一、基本情况\n本单位内设3个科室。\n",
        f"绩效自评报告\n\n一、部门概况\n{opening}\n二、绩效情况\n资金使用规范。\n",
    ):
        r = _out(text).report
        assert (r.fiscal_year.value, r.fiscal_year.raw) == (year, str(year))


@pytest.mark.parametrize(
    ("opening", "year"),
    [
        ("根据县财政局要求，本单位对2022年预算执行情况开展了自评。", 2022),
        ("按照通知精神，我局就2023年部门预算资金使用情况进行了绩效评价。", 2023),
        ("为做好评价工作，本院对 2021 年全部支出进行了全面自评。", 2021),
    ],
)
def test_the_year_an_opening_evaluates(opening: str, year: int) -> None:
    """对2022年…开展自评: the year of what the opening says is evaluated."""
    r = _out(f"绩效自评报告\n\n{opening}\n一、基本情况\n本单位内设3个科室。\n").report
    assert r.fiscal_year.value == year


@pytest.mark.parametrize(
    "opening",
    [
        "2019年以来，本局累计建成农村公路120公里。",
        "2025年，本局将进一步加强预算管理。",
        "2016年，经县编委批准，本中心正式成立。",
        "2024年3月，本局成立了自评工作小组。",
    ],
)
def test_an_opening_year_that_is_not_the_evaluated_one(opening: str) -> None:
    r = _out(f"绩效自评报告\n\n一、基本情况\n{opening}\n本单位内设3个科室。\n").report
    assert r.fiscal_year is None


# Years written in Chinese numerals (二〇二三年度, 二零二三年, 二○二三): invented titles,
# cover lines and openings; the unit named before such a year is still read.
@pytest.mark.parametrize(
    ("text", "year", "department"),
    [
        (
            "某县水利局二〇二三年度部门整体支出绩效自评报告\n\n一、基本情况\n{noise}\n",
            2023,
            "某县水利局",
        ),
        (
            "某县水利局二零二二年度部门整体支出绩效自评报告\n\n一、基本情况\n{noise}\n",
            2022,
            "某县水利局",
        ),
        (
            "某县档案馆\n二○二三年度部门整体支出绩效自评报告\n\n一、基本情况\n{noise}\n",
            2023,
            "某县档案馆",
        ),
        ("部门整体支出绩效自评报告\n（二〇二一年度）\n\n一、基本情况\n{noise}\n", 2021, None),
        ("绩效自评报告\n\n评价年度：二〇二二年\n\n一、基本情况\n{noise}\n", 2022, None),
        (
            "部门整体支出绩效自评报告\n\n一、基本情况\n根据《关于开展二〇二四年绩效自评的通知》要求，"
            "某县文化馆对二〇二三年度部门整体支出开展了绩效自评。\n",
            2023,
            "某县文化馆",
        ),
    ],
)
def test_year_in_chinese_numerals(text: str, year: int, department: str | None) -> None:
    out = _out(text.format(noise=NOISE))
    assert out.report.fiscal_year is not None and out.report.fiscal_year.value == year
    raw = out.report.fiscal_year.raw
    assert raw and raw[0] == "二"  # grounded on the numerals themselves
    if department is not None:
        assert out.report.department is not None
        assert out.report.department.value == department


def test_a_chinese_numeral_title_year_sets_the_basis_of_prose_figures() -> None:
    """二〇二三年度 in the title makes 2022年… in the prose last year's figure."""
    out = _out(
        "某县水利局二〇二三年度部门整体支出绩效自评报告\n\n一、收支情况\n"
        "2022年支出合计1,000.00万元。2023年支出合计1,100.00万元。\n"
    )
    assert out.budget.total_expenditure is not None
    assert out.budget.total_expenditure.number == 1100.0
    assert not [f for f in out.findings if f.kind == "conflict"]
