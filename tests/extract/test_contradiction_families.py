"""Personnel, public and basic expenditure (人员经费 / 公用经费 / 基本支出) stated twice in one
report — in the 收支 part and again in a conclusion, a note, a numbered list, a table — in
the families of phrasing we invented for this test. A planted difference must come back as
a ``conflict`` on the field; the same statements written consistently (with sub-items, the
budget beside the final figure, last year's figure) must raise no error-level finding and
read the right value. Every text here is invented.
"""

from __future__ import annotations

import io

import docx
import pytest

from service.extract.resolve import get_path
from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport

HEAD = "某县档案馆2023年度部门整体支出绩效自评报告\n一、部门基本情况\n本馆核定编制20名。\n二、部门收支情况\n"
ACCOUNTS = (
    "本年支出合计1,200.00万元，其中基本支出800.00万元，项目支出400.00万元。"
    "基本支出中，人员经费650.00万元，公用经费150.00万元。\n"
)
CONCLUSION = "三、总体评价\n"


def read_text(text: str) -> ReportExport:
    return extract_rules(read_document(text.encode("utf-8"), "t.txt")).export


def read_docx(parts: list[str | list[list[str]]]) -> ReportExport:
    d = docx.Document()
    for part in parts:
        if isinstance(part, str):
            d.add_paragraph(part)
            continue
        table = d.add_table(rows=len(part), cols=len(part[0]))
        for r, row in enumerate(part):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
    buf = io.BytesIO()
    d.save(buf)
    return extract_rules(read_document(buf.getvalue(), "t.docx")).export


def conflicts(export: ReportExport, path: str) -> list[str]:
    return [f.severity for f in export.findings if f.kind == "conflict" and path in f.paths]


def errors(export: ReportExport) -> list[str]:
    return [f"{f.kind} {f.paths}" for f in export.findings if f.severity == "error"]


def number(export: ReportExport, path: str) -> float | None:
    v = get_path(export, path)
    return None if v is None else v.number


# (the second statement, its field, whether both statements are labelled as the field: error)
PLANTED = {
    "conclusion_restates": (
        CONCLUSION + "全年人员经费支出660.00万元，保障了工资按时发放。",
        "budget.personnel_expenditure",
        "error",
    ),
    "summing_up_with_year": (
        CONCLUSION + "综上，2023年本单位共支出1,200.00万元，其中人员经费660.00万元。",
        "budget.personnel_expenditure",
        "error",
    ),
    "list_with_colon": (
        CONCLUSION + "全年完成支出1,200.00万元，其中：人员支出660.00万元、公用支出150.00万元、"
        "项目支出400.00万元。",
        "budget.personnel_expenditure",
        "error",
    ),
    "note_line": (
        "注：人员经费660.00万元含社会保障缴费。",
        "budget.personnel_expenditure",
        "error",
    ),
    "aside_in_brackets": (
        CONCLUSION + "人员经费（含工资、津贴补贴、社保缴费等）660.00万元。",
        "budget.personnel_expenditure",
        "error",
    ),
    "numbered_yi_shi": (
        CONCLUSION + "一是人员经费660.00万元；二是公用经费150.00万元。",
        "budget.personnel_expenditure",
        "error",
    ),
    "part_of_basic_named": (
        CONCLUSION + "基本支出中的人员经费为660.00万元。",
        "budget.personnel_expenditure",
        "error",
    ),
    "class_words": (
        CONCLUSION + "人员类支出660.00万元，公用类支出150.00万元。",
        "budget.personnel_expenditure",
        "error",
    ),
    "final_word": (
        CONCLUSION + "2023年度本单位人员经费决算数为660.00万元。",
        "budget.personnel_expenditure",
        "error",
    ),
    # the topic names the field, the figure stands under a bare 支出
    "topic_aspect": (
        CONCLUSION + "在人员经费方面，全年支出660.00万元。",
        "budget.personnel_expenditure",
        "error",
    ),
    # a topic, then a clause that is not filler: the label does not reach the figure
    "topic_loose": (
        CONCLUSION + "在人员经费方面，严格执行工资政策，发放660.00万元。",
        "budget.personnel_expenditure",
        None,
    ),
    "public_restated": (
        CONCLUSION + "日常公用经费支出140.00万元，较上年下降3%。",
        "budget.public_expenditure",
        "error",
    ),
    "basic_stage_led": (
        "（三）基本支出执行情况\n2023年基本支出实际支出810.00万元，预算执行率99%。",
        "budget.basic_expenditure",
        "error",
    ),
    "basic_in_yuan": (
        CONCLUSION + "全年基本支出8,100,000.00元，保障了机构正常运转。",
        "budget.basic_expenditure",
        "error",
    ),
}


@pytest.mark.parametrize("family", sorted(PLANTED))
def test_a_planted_difference_is_a_conflict_on_its_field(family: str) -> None:
    second, path, severity = PLANTED[family]
    export = read_text(HEAD + ACCOUNTS + second + "\n")
    assert conflicts(export, path) == ([severity] if severity else [])
    # the other fields stay as the accounts state them
    for other, value in (
        ("budget.total_expenditure", 1200.0),
        ("budget.project_expenditure", 400.0),
    ):
        assert number(export, other) == value
    assert not any(path not in e for e in errors(export))


def test_a_stage_led_total_after_another_label_is_that_labels_figure() -> None:
    """“基本支出实际支出810万元” is no statement of the total expenditure."""
    export = read_text(
        HEAD + ACCOUNTS + "（三）基本支出执行情况\n2023年基本支出实际支出810.00万元。\n"
    )
    assert conflicts(export, "budget.total_expenditure") == []
    assert number(export, "budget.total_expenditure") == 1200.0


def test_a_topic_gives_a_bare_spending_label_its_field() -> None:
    export = read_text(
        HEAD
        + "本年支出合计1,200.00万元。\n"
        + CONCLUSION
        + "在人员经费方面，全年支出660.00万元。\n"
    )
    assert number(export, "budget.personnel_expenditure") == 660.0
    assert number(export, "budget.total_expenditure") == 1200.0
    assert conflicts(export, "budget.total_expenditure") == []


CONSISTENT = {
    # sub-items of 人员经费 and of 基本支出 by economic class
    "sub_items": CONCLUSION + "人员经费中，工资福利支出600.00万元，对个人和家庭的补助50.00万元。",
    "retired_part": "其中离退休人员经费30.00万元，在职人员经费620.00万元。",
    "budget_beside_final": "人员经费年初预算670.00万元，全年预算680.00万元，实际支出650.00万元。",
    "previous_year": "上年人员经费600.00万元，2022年公用经费140.00万元。",
    "project_personnel": "项目支出中人员经费20.00万元。某某专项资金中用于人员经费15.00万元。",
    "restated_same": CONCLUSION + "全年人员经费650万元、公用经费150万元，基本支出800.00万元。",
    "aside_same": CONCLUSION + "人员经费（含工资、津贴补贴等）650.00万元，占基本支出的81.25%。",
    "economic_items": "人员经费支出构成：基本工资300.00万元、津贴补贴200.00万元、社保缴费150.00万元。",
}


@pytest.mark.parametrize("family", sorted(CONSISTENT))
def test_a_consistent_report_raises_no_error_and_reads_the_whole(family: str) -> None:
    export = read_text(HEAD + ACCOUNTS + CONSISTENT[family] + "\n")
    assert errors(export) == []
    assert number(export, "budget.personnel_expenditure") == 650.0
    assert number(export, "budget.public_expenditure") == 150.0
    assert number(export, "budget.basic_expenditure") == 800.0


def test_a_part_of_personnel_alone_is_not_read_as_the_whole() -> None:
    export = read_text(HEAD + "基本支出800.00万元，其中离退休人员经费30.00万元。\n")
    assert number(export, "budget.personnel_expenditure") is None


DOCX_HEAD: list[str | list[list[str]]] = [
    "某县档案馆2023年度部门整体支出绩效自评报告",
    "一、部门收支情况",
    "本年支出合计1,200.00万元，其中基本支出800.00万元，项目支出400.00万元。"
    "基本支出中，人员经费650.00万元，公用经费150.00万元。",
]


def test_docx_table_budget_and_final_columns_conflict_on_the_final_only() -> None:
    export = read_docx(
        DOCX_HEAD
        + [
            "表1 基本支出情况（单位：万元）",
            [
                ["项目", "预算数", "决算数"],
                ["基本支出", "820.00", "800.00"],
                ["人员经费", "670.00", "655.00"],
                ["公用经费", "150.00", "145.00"],
            ],
        ]
    )
    assert conflicts(export, "budget.personnel_expenditure") == ["error"]
    assert conflicts(export, "budget.basic_expenditure") == []


def test_docx_table_of_consistent_years_raises_no_error() -> None:
    export = read_docx(
        DOCX_HEAD
        + [
            "单位：万元",
            [
                ["项目", "2022年决算数", "2023年决算数"],
                ["人员经费", "600.00", "650.00"],
                ["公用经费", "140.00", "150.00"],
            ],
            "二、总体评价",
            "在人员经费方面，全年支出650.00万元。",
        ]
    )
    assert errors(export) == []
    assert number(export, "budget.personnel_expenditure") == 650.0


def test_docx_key_value_rows_restating_the_field_conflict() -> None:
    export = read_docx(DOCX_HEAD + [[["人员经费", "660.00万元"], ["公用经费", "150.00万元"]]])
    assert conflicts(export, "budget.personnel_expenditure") == ["error"]
    assert conflicts(export, "budget.public_expenditure") == []


def test_last_years_figure_in_nested_brackets_does_not_make_the_parts_last_years() -> None:
    """“本年支出…(上年支出…(782.90万\\n元))，其中基本支出…”: the aside, wrapped inside its
    inner bracket, is last year's; the parts after it are this year's and a restatement
    that differs is a conflict on them."""
    export = read_text(
        HEAD + "本年支出9062000.00元(906.20万元)(上年支出7829000.00元(782.90万\n元)),其中基本支出"
        "4466400.00元(446.64万元)、项目支出4595600.00元(459.56万元)。\n"
        + CONCLUSION
        + "全年基本支出4205300.00元，项目支出4856700.00元。\n"
    )
    assert conflicts(export, "budget.basic_expenditure") == ["error"]
    assert conflicts(export, "budget.project_expenditure") == ["error"]


def test_docx_form_cell_written_as_prose_restating_the_field_conflicts() -> None:
    """A 自评表 form whose 总体评价 cell restates the figure in a sentence."""
    export = read_docx(
        DOCX_HEAD
        + [
            [
                ["总体评价", "全年人员经费支出660.00万元，公用经费150.00万元，保障了机构运转。"],
                ["自评得分", "92"],
            ]
        ]
    )
    assert conflicts(export, "budget.personnel_expenditure") == ["error"]
    assert conflicts(export, "budget.public_expenditure") == []


def test_docx_cell_stating_a_target_is_no_statement_of_the_figure() -> None:
    export = read_docx(
        DOCX_HEAD
        + [
            [
                ["三级指标", "年度指标值", "实际完成值", "分值", "得分"],
                [
                    "人员经费支出控制",
                    "人员经费支出≤700.00万元，控制在预算内",
                    "650.00万元",
                    "10",
                    "10",
                ],
            ]
        ]
    )
    assert errors(export) == []
    assert number(export, "budget.personnel_expenditure") == 650.0
