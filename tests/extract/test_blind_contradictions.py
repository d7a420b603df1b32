"""A quantity restated elsewhere in the report (the problems section, a second sentence,
an annex's two-column table) takes part in the vote and the checks like any statement:
a different figure is a conflict that says why it is the same quantity; a consistent
document raises no error."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document

BODY = (
    "青山县档案馆2022年度部门整体支出绩效自评报告\n\n一、基本情况\n本馆内设3个科室。\n"
    "二、部门整体支出情况\n2022年度收入合计520.00万元，支出合计500.00万元，其中基本支出"
    "400.00万元，项目支出100.00万元。预算执行率为96.15%。\n"
)


def _export(tail: str):  # noqa: ANN202
    return extract_rules(read_document((BODY + tail).encode(), "r.txt")).export


def _errors(export) -> list:  # noqa: ANN001
    return [f for f in export.findings if f.severity == "error"]


CONSISTENT = [
    "",
    "三、存在的问题\n全年支出合计500.00万元中项目支出占比偏低。\n",
    "三、绩效情况\n本年预算执行率为96.15%，较上年提高。\n",
    "附件\n主要指标\t数值\n收入合计\t520.00万元\n支出合计\t500.00万元\n预算执行率\t96.15%\n",
    "附件\n项目\t金额（万元）\n收入合计\t520.00\n支出合计\t500.00\n基本支出\t400.00\n",
    "附件\n指标\t数值\n支出合计（万元）\t500\n预算执行率（%）\t96.15\n",
    "附件\n项目\t预算数（万元）\n支出合计\t530.00\n基本支出\t410.00\n",
    "附件\n主要指标\n数值\n收入合计\n520.00万元\n支出合计\n500.00万元\n",
    "三、绩效情况\n项目支出执行率为90%，专项资金执行率为88%。\n",
]


@pytest.mark.parametrize("tail", CONSISTENT)
def test_a_consistent_document_raises_no_conflict(tail: str) -> None:
    export = _export(tail)
    assert [f for f in export.findings if f.kind == "conflict"] == []
    assert (export.budget.total_expenditure.value, export.budget.execution_rate.value) == (
        500.0,
        96.15,
    )


@pytest.mark.parametrize(
    ("tail", "path", "other"),
    [
        (
            "三、存在的问题\n一是全年支出合计480.00万元，项目管理不够精细。\n",
            "budget.total_expenditure",
            480,
        ),
        ("三、存在的问题\n一是预算执行率为92.30%，执行进度偏慢。\n", "budget.execution_rate", 92.3),
        ("三、绩效情况\n本年预算执行率达到98.5%。\n", "budget.execution_rate", 98.5),
        ("三、存在的问题\n本年项目支出仅110万元，占比偏低。\n", "budget.project_expenditure", 110),
        ("三、存在的问题\n预算执行率只有90%，进度偏慢。\n", "budget.execution_rate", 90),
        ("四、存在的问题\n（一）本年度支出总额为498.00万元。\n", "budget.total_expenditure", 498),
        ("三、绩效情况\n年末预算执行率为95%。\n", "budget.execution_rate", 95),
        ("三、绩效情况\n部门整体预算执行率95%。\n", "budget.execution_rate", 95),
        ("三、绩效情况\n全年支出执行率为95%。\n", "budget.execution_rate", 95),
        ("三、绩效情况\n综合预算执行率95%。\n", "budget.execution_rate", 95),
        ("五、评价结论\n经评价，本馆预算执行率95%，得分19分。\n", "budget.execution_rate", 95),
        (
            "四、存在的问题\n全年总支出为498.00万元，结构有待优化。\n",
            "budget.total_expenditure",
            498,
        ),
        (
            "附件\n主要指标\t数值\n收入合计\t520.00万元\n支出合计\t510.00万元\n",
            "budget.total_expenditure",
            510,
        ),
        (
            "附件：2022年度主要指标\n指标\t数值\n支出合计\t510.00万元\n",
            "budget.total_expenditure",
            510,
        ),
        ("附件\n项目\t金额（万元）\n支出合计\t510.00\n", "budget.total_expenditure", 510),
        # one cell per line: the label alone on the line above its figure
        (
            "附件\n主要指标\n数值\n收入合计\n520.00万元\n支出合计\n510.00万元\n",
            "budget.total_expenditure",
            510,
        ),
        ("附件\n指标\t数值\n预算执行率（%）\t91.2\n", "budget.execution_rate", 91.2),
    ],
)
def test_a_restatement_that_differs_is_flagged(tail: str, path: str, other: float) -> None:
    export = _export(tail)
    found = [f for f in export.findings if f.kind == "conflict" and path in f.paths]
    assert len(found) == 1
    finding = found[0]
    assert finding.severity == "error"
    assert other in [i.value.value for i in finding.items]
    # it says why both statements are the same quantity: their labels
    assert finding.basis is not None and finding.basis.clear
    assert "label" in finding.reason_en


STAFF = (
    "青山县档案馆2022年度部门整体支出绩效自评报告\n\n一、基本情况\n本馆核定编制20人，实有在职"
    "人员18人。\n二、部门整体支出情况\n全年支出500万元。三公经费支出2.4万元，其中公务接待费2.4万元。\n"
)


@pytest.mark.parametrize(
    ("tail", "path", "other"),
    [
        ("附件\n指标\t数值\n实有人数\t16人\n编制数\t20人\n", "staffing.actual", 16),
        (
            "附件\n项目\t金额（万元）\n三公经费\t3.1\n公务接待费\t2.4\n",
            "three_public.total.actual",
            3.1,
        ),
        ("三、存在的问题\n现有在职人员16人，人手不足。\n", "staffing.actual", 16),
        ("三、存在的问题\n三公经费支出3.1万元，控制不够严格。\n", "three_public.total.actual", 3.1),
    ],
)
def test_staff_and_three_public_restated(tail: str, path: str, other: float) -> None:
    export = extract_rules(read_document((STAFF + tail).encode(), "r.txt")).export
    found = [f for f in export.findings if f.kind == "conflict" and path in f.paths]
    assert [f.severity for f in found] == ["error"]
    assert other in [i.value.value for i in found[0].items]


@pytest.mark.parametrize(
    "tail",
    [
        "附件\n指标\t数值\n实有人数\t18\n编制数\t20\n",
        "附件\n项目\t金额（万元）\n三公经费\t2.4\n公务接待费\t2.4\n",
        "附件\n项目\t预算数（万元）\n三公经费\t3.0\n",
    ],
)
def test_staff_and_three_public_consistent(tail: str) -> None:
    export = extract_rules(read_document((STAFF + tail).encode(), "r.txt")).export
    assert [f for f in export.findings if f.kind == "conflict"] == []
    assert (export.staffing.actual.value, export.three_public.total.actual.value) == (18, 2.4)


def test_an_annex_figure_grounds_in_its_cell() -> None:
    export = _export("附件\n主要指标\t数值\n支出合计\t510.00万元\n")
    found = next(f for f in export.findings if "budget.total_expenditure" in f.paths)
    annex = next(i for i in found.items if i.value.value == 510)
    assert annex.value.source.locator.startswith("table:")
    assert found.basis.label == "支出合计" and found.basis.columns == ["数值"]
    assert "表格列“数值”" in found.reason_zh


@pytest.mark.parametrize(
    "tail",
    [
        "附件\n单位名称\t青山县档案馆\n联系人\t张三\n",  # a cover form: no figures
        "附件\n指标\t数值\n藏书（册）\t12000\n接待查档（人次）\t2300\n",  # achievements
        "附件\n项目\t上年数\n支出合计\t450.00\n",  # last year's column
        "附件：2021年主要指标\n指标\t数值\n支出合计\t450.00万元\n",  # last year's table
        "附件：上年收支情况\n项目\t金额（万元）\n支出合计\t450.00\n",
        "附件：预算安排表\n项目\t金额（万元）\n支出合计\t530.00\n",
    ],
)
def test_two_column_tables_of_other_things_are_not_restatements(tail: str) -> None:
    export = _export(tail)
    assert [f for f in export.findings if f.kind == "conflict"] == []
    assert export.budget.total_expenditure.value == 500.0


@pytest.mark.parametrize(
    "heading",
    ["二、部门整体支出情况", "（二）支出情况", "二、整体支出执行情况"],
)
def test_a_heading_label_takes_no_figure_from_the_next_line(heading: str) -> None:
    text = (
        f"部门整体支出绩效自评报告\n\n一、基本情况\n本馆内设3个科室。\n{heading}\n"
        "2022年度收入合计520.00万元，支出合计500.00万元。\n"
    )
    export = extract_rules(read_document(text.encode(), "r.txt")).export
    assert export.budget.total_expenditure.value == 500.0
    assert [f for f in export.findings if "budget.total_expenditure" in f.paths] == []
