"""Money stated in sentences, read through the lexicon whatever the template: the label →
value families (enumerations, other keywords, filler, separate lines, 元 with cents, spaced
numbers, wrapped lines) and the clause basis (budget, last year, a share, a named item).
Every text here is invented."""

from __future__ import annotations

import pytest

from service.extract.resolve import get_path
from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport

HEAD = "2023年度部门整体支出绩效自评报告\n"


def read(text: str) -> ReportExport:
    return extract_rules(read_document(text.encode("utf-8"), "t.txt")).export


def number(export: ReportExport, path: str) -> float | None:
    v = get_path(export, path)
    return None if v is None else v.number


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        # informal enumerations: a bare 收入/支出 heading with a colon
        ("1、收入：842.10万元\n2、支出：815.33万元\n", "budget.total_income", 842.10),
        ("1、收入：842.10万元\n2、支出：815.33万元\n", "budget.total_expenditure", 815.33),
        ("（一）收入情况：本年度收入合计为1,306.72万元。", "budget.total_income", 1306.72),
        ("（二）支出情况：全年支出 2,031.07 万元，其中基本支出1,500.00万元。",
         "budget.total_expenditure", 2031.07),
        ("3. 支出：全年累计支出968.20万元。", "budget.total_expenditure", 968.20),
        # other keywords
        ("石桥镇卫生院2023年收入总额为733.05万元。", "budget.total_income", 733.05),
        ("本年收入577.19万元，本年支出560.02万元。", "budget.total_income", 577.19),
        ("本年收入577.19万元，本年支出560.02万元。", "budget.total_expenditure", 560.02),
        ("青川县文化馆年度总支出412.66万元。", "budget.total_expenditure", 412.66),
        ("本单位总体支出298.40万元，较好保障了各项工作。", "budget.total_expenditure", 298.40),
        ("2023年支出决算数为1,118.09万元。", "budget.total_expenditure", 1118.09),
        # the value a few words after the label
        ("全年收入合计共计688.88万元。", "budget.total_income", 688.88),
        ("全年总支出累计完成540.12万元。", "budget.total_expenditure", 540.12),
        ("本单位收入总额（含上年结转）为820.00万元。", "budget.total_income", 820.00),
        # label and value on separate lines
        ("收入合计：\n1,580.90万元\n", "budget.total_income", 1580.90),
        ("支出总额\n2 031.07万元\n", "budget.total_expenditure", 2031.07),
        # 元 with cents, with and without 万元 beside it
        ("全年累计支出3,456,789.12元。", "budget.total_expenditure", 345.678912),
        ("项目支出1234.56万元（12,345,600元），主要用于设备购置。",
         "budget.project_expenditure", 1234.56),
        ("其中：一般公共预算财政拨款收入20817100.00元（2081.71万元）。",
         "budget.income_general_budget", 2081.71),
        # labels joined by 、 and figures after 分别为, in the same order
        ("本年度基本支出、项目支出分别为800.00万元、400.50万元。", "budget.project_expenditure", 400.50),
        ("收入合计和支出合计分别是1,020.00万元和998.76万元。", "budget.total_expenditure", 998.76),
        # spaces from PDF exporters
        ("基本支出 1 520.48 万元，项目支出 300.00 万元。", "budget.basic_expenditure", 1520.48),
        ("部门预算执行率为 96.4 %。", "budget.execution_rate", 96.4),
    ],
)  # fmt: skip
def test_label_value_families(text: str, path: str, expected: float) -> None:
    export = read(text)
    got = get_path(export, path)
    assert got is not None, f"{path} not read from {text!r}"
    assert got.number == pytest.approx(expected, abs=1e-6)
    assert got.unit == ("%" if path.endswith("rate") else "万元")


def test_yuan_is_normalised_and_its_unit_kept() -> None:
    got = get_path(read("全年累计支出3,456,789.12元。"), "budget.total_expenditure")
    assert got is not None
    assert got.raw == "3,456,789.12元"
    assert got.original_unit == "元"
    assert got.number == pytest.approx(345.678912)


def test_one_statement_in_two_units_is_no_conflict() -> None:
    export = read(
        "本单位支出合计1234.56万元（12,345,600元），其中项目支出400.00万元（4,000,000元）。"
    )
    assert number(export, "budget.total_expenditure") == pytest.approx(1234.56)
    assert number(export, "budget.project_expenditure") == pytest.approx(400.0)
    assert not [f for f in export.findings if f.kind == "conflict"]


def test_a_wrapped_line_inside_a_word_and_a_number_reads_whole() -> None:
    # A PDF line breaks inside 总支出 and inside a figure; the prose view joins them.
    text = (
        "根据年度工作安排和部门职责，经认真核算，本单位全年总支\n"
        "出1,206.35万元，较好地保障了各项工作的开展，其中项目支出3\n"
        "06.35万元，主要用于农村公路养护和防汛物资储备。\n"
    )
    export = read(text)
    assert number(export, "budget.total_expenditure") == pytest.approx(1206.35)
    got = get_path(export, "budget.project_expenditure")
    assert got is not None and got.number == pytest.approx(306.35)
    assert got.raw == "3\n06.35万元"  # grounded on the document text, break included


def test_the_cue_that_read_a_value_is_in_its_locator() -> None:
    got = get_path(read("本年度收入合计为1,306.72万元。"), "budget.total_income")
    assert got is not None and got.source is not None
    assert "cue:收入合计" in (got.source.locator or "")


@pytest.mark.parametrize(
    ("text", "path", "not_value"),
    [
        # a clause about the budget is not the final figure
        ("年初预算收入1,500.00万元，全年实际收入1,620.35万元。", "budget.total_income", 1500.0),
        ("年初批复支出预算900万元，调整后预算950万元，实际支出930.5万元。",
         "budget.total_expenditure", 950.0),
        ("本年预算安排情况：总收入1,300.00万元，总支出1,300.00万元。",
         "budget.total_expenditure", 1300.0),
        ("年初预算数1,100万元，其中基本支出700万元，项目支出400万元。",
         "budget.basic_expenditure", 700.0),
        # a clause about last year is not this year's figure
        (HEAD + "上年收入总额为1,420.00万元。", "budget.total_income", 1420.0),
        (HEAD + "上一年度总支出1,090.00万元。", "budget.total_expenditure", 1090.0),
        (HEAD + "2022年，本单位总收入1,000.00万元，总支出980.00万元。",
         "budget.total_expenditure", 980.0),
        (HEAD + "本年支出1,029.99万元（上年支出1,161.51万元），其中基本支出234.03万元。",
         "budget.total_expenditure", 1161.51),
        # a change is not the level
        (HEAD + "与上年相比，总支出增加30万元。", "budget.total_expenditure", 30.0),
        # a percentage or a count is never money
        ("总支出较上年增长6.2 %，主要是项目增加。", "budget.total_expenditure", 6.2),
        ("基本支出占总支出的66.7%。", "budget.basic_expenditure", 66.7),
        ("项目支出涉及12个项目。", "budget.project_expenditure", 12.0),
        # a named item's spending is not the department's total
        ("（1）水毁道路修复项目：预算50.00万元，实际支出48.60万元。",
         "budget.total_expenditure", 48.6),
        ("（2）城乡环境整治经费：全年支出206.46万元。", "budget.total_expenditure", 206.46),
        ("项目支出主要用于学生资助资金203.42万元、食堂改造80.00万元。",
         "budget.project_expenditure", 203.42),
        # a label inside a longer name before a colon is that item's heading
        ("（3）公用经费补助：预算30.54万元，实际支出30.27万元。", "budget.public_expenditure", 30.54),
        # an indicator sentence: the rate after a comma belongs to the target, not this year
        ("（7）成本指标：预算执行率，年度目标≥95%，实际完成98.4%。", "budget.execution_rate", 95.0),
    ],
)  # fmt: skip
def test_clauses_about_something_else_are_not_the_figure(
    text: str, path: str, not_value: float
) -> None:
    got = number(read(text), path)
    assert got is None or got != pytest.approx(not_value), f"{path} read {got} from {text!r}"


def test_budget_and_final_in_one_sentence_each_go_to_their_field() -> None:
    export = read("本部门年初预算数为1,100.00万元，全年实际支出1,050.40万元，预算执行率95.5%。")
    assert number(export, "budget.initial_budget") == pytest.approx(1100.0)
    assert number(export, "budget.total_expenditure") == pytest.approx(1050.40)
    assert number(export, "budget.execution_rate") == pytest.approx(95.5)


def test_share_sentence_is_kept_for_the_checks() -> None:
    from service.extract.rules import collect
    from service.extract.sections import build_sections

    doc = read_document(
        "基本支出800.00万元，其中人员经费650.00万元，占基本支出的81.25%。".encode(), "t.txt"
    )
    _, _, shares = collect(doc, build_sections(doc))
    assert len(shares) == 1
    share = shares[0]
    assert (share.part_path, share.whole_path) == (
        "budget.personnel_expenditure",
        "budget.basic_expenditure",
    )
    assert share.percent.number == pytest.approx(81.25)
    assert share.part.number == pytest.approx(650.0)


def test_the_budget_of_another_field_is_not_the_full_year_budget() -> None:
    export = read("“三公”经费全年预算5.00万元，实际支出4.10万元。")
    assert number(export, "budget.full_year_budget") is None
    export = read("全年预算数1,936.02万元，全年执行数1,905.77万元，执行率98.4%。")
    assert number(export, "budget.full_year_budget") == pytest.approx(1936.02)
    assert number(export, "budget.execution_rate") == pytest.approx(98.4)


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        ("一、收支情况\n收入合计\t1520.00万元\n支出合计\t1498.30万元\n", "budget.total_income", 1520.0),
        ("一、收支情况\n收入合计：\t1520.00万元\n支出合计：\t1498.30万元\n",
         "budget.total_expenditure", 1498.30),
        ("基本支出\t\t612.5万元\n项目支出\t\t88.25万元\n执行率\t99.2%\n", "budget.basic_expenditure", 612.5),
        ("基本支出\t\t612.5万元\n项目支出\t\t88.25万元\n执行率\t99.2%\n", "budget.execution_rate", 99.2),
        ("本年收入　　633.20万元，本年支出 \t 610.00万元。", "budget.total_income", 633.20),
    ],
)  # fmt: skip
def test_any_whitespace_between_label_and_figure(text: str, path: str, expected: float) -> None:
    assert number(read(HEAD + text), path) == pytest.approx(expected)


def test_a_header_table_of_two_columns_is_still_a_table() -> None:
    """项目 | 预算数: the rows are budget figures, not final ones stated in sentences."""
    text = HEAD + "项目\t预算数\n基本支出\t612.5万元\n项目支出\t88.25万元\n"
    assert number(read(text), "budget.basic_expenditure") != pytest.approx(612.5)


@pytest.mark.parametrize(
    ("text", "personnel", "public"),
    [
        ("基本支出244万元，其中人员经费210.40万元、公用经费33.60万元。", 210.40, 33.60),
        ("人员经费支出188.2万元及日常公用经费支出41.5万元。", 188.2, 41.5),
        ("基本支出包括人员经费96万元以及公用经费12.25万元。", 96.0, 12.25),
        ("人员经费 300 万元和公用经费 40 万元，合计基本支出340万元。", 300.0, 40.0),
        ("人员经费和公用经费分别为300.00万元、40.00万元。", 300.0, 40.0),
    ],
)
def test_personnel_and_public_joined_by_a_conjunction(
    text: str, personnel: float, public: float
) -> None:
    export = read(text)
    assert number(export, "budget.personnel_expenditure") == pytest.approx(personnel)
    assert number(export, "budget.public_expenditure") == pytest.approx(public)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("收入450.00万元，均为财政拨款。", 450.0),
        ("本年收入合计450.00万元，全部为一般公共预算财政拨款。", 450.0),
        ("2023年度收入总计612.3万元，全部是财政拨款收入。", 612.3),
        ("本年收入合计1000.00万元，其中财政拨款905.00万元，其他收入95.00万元。", 905.0),
        ("收入情况：全年收入1000万元，其中：财政拨款 905.00 万元。", 905.0),
        ("收入来源：财政拨款 905.00万元，事业收入 95.00万元。", 905.0),
        ("一、收入情况\n本年收入合计1000万元。\n其中：财政拨款905万元；其他收入95万元。", 905.0),
        ("收入合计\t1000万元\n其中：财政拨款\t905万元\n其他收入\t95万元\n", 905.0),
    ],
)
def test_general_budget_income_worded_otherwise(text: str, expected: float) -> None:
    assert number(read(text), "budget.income_general_budget") == pytest.approx(expected)


@pytest.mark.parametrize(
    "text",
    [
        "本年支出合计1000.00万元，其中财政拨款905.00万元。",
        "（二）支出情况\n本年支出合计1000万元。\n其中：财政拨款905万元。",
        "收入合计1000万元，支出合计990万元，其中财政拨款安排的支出905万元。",
        "本年收入合计450.00万元，均为财政拨款和事业收入。",
    ],
)
def test_a_bare_fiscal_grant_outside_income_is_not_income(text: str) -> None:
    got = number(read(text), "budget.income_general_budget")
    assert got not in (pytest.approx(905.0), pytest.approx(450.0))


@pytest.mark.parametrize(
    ("text", "basic", "personnel", "public"),
    [
        ("工资福利支出300万元，商品服务支出40万元，两项合计基本支出340万元。", 340.0, 300.0, 40.0),
        ("工资福利支出300万元，商品和服务支出40万元，合计340万元，均为基本支出。", 340.0, 300.0, 40.0),
        ("基本支出：工资福利支出 212.6 万元、商品和服务支出 31.4 万元，共计 244 万元。",
         244.0, 212.6, 31.4),
        ("人员经费300万元，公用经费40万元，两者合计构成基本支出340万元。", 340.0, 300.0, 40.0),
        ("商品和服务支出18万元，工资福利支出150万元；以上合计168万元。", 168.0, 150.0, 18.0),
    ],
)  # fmt: skip
def test_basic_stated_after_its_parts(
    text: str, basic: float, personnel: float, public: float
) -> None:
    export = read(text)
    assert number(export, "budget.basic_expenditure") == pytest.approx(basic)
    assert number(export, "budget.personnel_expenditure") == pytest.approx(personnel)
    assert number(export, "budget.public_expenditure") == pytest.approx(public)


def test_three_parts_sum_to_basic_but_name_no_class() -> None:
    export = read(
        "工资福利支出300万元，商品和服务支出40万元，对个人和家庭的补助5万元，以上合计345万元。"
    )
    assert number(export, "budget.basic_expenditure") == pytest.approx(345.0)
    assert number(export, "budget.personnel_expenditure") is None


@pytest.mark.parametrize(
    "text",
    [
        "工资福利支出300万元，商品和服务支出40万元，合计350万元。",  # not their sum
        "基本支出：工资福利支出300万元。",  # a part after the label is not the whole
    ],
)
def test_what_is_not_basic_from_its_parts(text: str) -> None:
    assert number(read(text), "budget.basic_expenditure") not in (
        pytest.approx(350.0),
        pytest.approx(300.0),
    )


@pytest.mark.parametrize(
    "text",
    [
        "项目支出主要用于河道保洁经费88.1万元、办公设备购置12.6万元、公用经费补助9.75万元。",
        "项目支出用于培训经费5.2万元、人员经费补贴9.75万元。",
        "专项资金使用情况：宣传经费3.3万元、公用经费9.75万元。",
    ],
)
def test_a_named_item_in_a_list_of_project_uses_is_not_the_accounts(text: str) -> None:
    export = read(text)
    assert number(export, "budget.public_expenditure") != pytest.approx(9.75)
    assert number(export, "budget.personnel_expenditure") != pytest.approx(9.75)


def test_personnel_and_public_listed_as_uses_of_the_project_money_are_not_the_accounts() -> None:
    export = read("基本支出500万元。项目支出主要用于人员经费20.5万元、公用经费9.75万元。")
    assert number(export, "budget.personnel_expenditure") != pytest.approx(20.5)
    assert number(export, "budget.public_expenditure") != pytest.approx(9.75)


def test_a_tabbed_sentence_going_on_over_its_cells_is_prose() -> None:
    text = HEAD + "本年收入合计\t912.40万元，本年支出合计\t899.10万元。\n基本支出\t700.00万元\n"
    export = read(text)
    assert number(export, "budget.total_income") == pytest.approx(912.40)
    assert number(export, "budget.total_expenditure") == pytest.approx(899.10)


def test_bare_figures_side_by_side_stay_a_table() -> None:
    from service.extract.text import label_value_list

    doc = read_document(
        (HEAD + "基本支出\t800万元\t780万元\n项目支出\t100万元\t98万元\n").encode(), "t.txt"
    )
    assert doc.tables and not label_value_list(doc.tables[0])


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        ("基本支出800万元，项目支出200万元，合计1000万元。", "budget.total_expenditure", 1000.0),
        ("基本支出612.5万元、项目支出88.25万元，两项合计支出700.75万元。",
         "budget.total_expenditure", 700.75),
        ("财政拨款收入950万元，其他收入50万元，合计1000万元。", "budget.total_income", 1000.0),
        ("一般公共预算拨款收入7,500,000.00元；事业收入500,000.00元；共计800万元。",
         "budget.total_income", 800.0),
    ],
)  # fmt: skip
def test_a_whole_stated_after_its_parts(text: str, path: str, expected: float) -> None:
    assert number(read(text), path) == pytest.approx(expected)


def test_a_sum_that_is_not_the_parts_is_not_their_whole() -> None:
    export = read("基本支出800万元，项目支出200万元，合计完成项目12个，合计1200万元。")
    assert number(export, "budget.total_expenditure") != pytest.approx(1200.0)


@pytest.mark.parametrize(
    "text",
    [
        "全年预算执行率（全年执行数/全年预算数）为96.4%。",
        "预算执行率=实际支出/全年预算=96.4%。",
        "部门预算执行率（支出决算÷调整后预算）：96.4%",
    ],
)
def test_an_explained_rate_keeps_its_figure(text: str) -> None:
    export = read(text)
    assert number(export, "budget.execution_rate") == pytest.approx(96.4)
    assert number(export, "budget.full_year_budget") is None


@pytest.mark.parametrize(
    "text",
    [
        "项目支出：会务经费40万元；调研经费25万元。",
        "三、项目支出\n执法装备购置 36.5 万元；普法宣传 12 万元。",
        "项目支出：设备维护费18.20万元、档案数字化经费9万元。",
    ],
)
def test_a_label_over_a_list_does_not_take_the_first_items_figure(text: str) -> None:
    """Past the label's colon (or under it as a heading) a name of its own owns the figure."""
    export = read(f"本单位2023年度支出合计200万元。\n{text}")
    assert number(export, "budget.project_expenditure") is None
    assert not [f for f in export.findings if f.severity == "error"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("项目支出：65.00万元，其中会务经费40万元。", 65.0),
        ("1、项目支出：65万元。", 65.0),
        ("项目支出\n65.00万元", 65.0),
        ("项目支出：共计65万元。", 65.0),
    ],
)
def test_a_label_with_its_own_figure_after_the_colon_still_reads(
    text: str, expected: float
) -> None:
    assert number(read(text), "budget.project_expenditure") == expected
