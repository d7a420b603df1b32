"""A figure restated in the lead-in of another part (“四、部门整体支出绩效情况：全年…人员经费
支出X万元，…”) is read, so two statements of the same quantity that disagree are an error
with their reason, while the same figure, a budget, another year or a sub-quota stated
there is none. TXT, DOCX and PDF. Every sentence is invented."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport
from tests.ingest.pdfgen import render_lines

FORMATS = ("txt", "docx", "pdf")
STATED = 820.10  # part 二's 人员经费
HEAD = [
    "某县商务局2023年度部门整体支出绩效自评报告",
    "一、部门基本情况",
    "本局内设机构6个，核定编制40名，实有人数37人。",
    "二、部门收支情况",
    "2023年本部门支出合计1,420.50万元，其中基本支出980.30万元，项目支出440.20万元。",
    "基本支出中，人员经费820.10万元，公用经费160.20万元。",
]
TAIL = ["五、存在的问题", "一是预算编制不够精细；二是绩效目标不够量化。"]
# part 四's lead-in with {x}: the 人员经费 it restates
LEAD_INS = [
    [
        "四、部门整体支出绩效情况：全年部门整体支出1,420.50万元，其中人员经费支出{x}万元，保障了机构运转。"
    ],
    ["四、部门整体支出绩效情况。全年人员经费支出{x}万元，公用经费支出160.20万元。"],
    ["四、绩效目标完成情况", "为保障机构正常运转，全年支付人员经费{x}万元，公用经费160.20万元。"],
    [
        "四、部门整体支出绩效情况",
        "（一）预算执行情况：人员经费支出{x}万元，公用经费支出160.20万元。",
    ],
    ["四、部门整体支出绩效情况", "2023年，我局人员经费支出{x}万元，占基本支出的八成以上。"],
]


def _render(lines: list[str], fmt: str) -> tuple[bytes, str]:
    return render_lines(lines, fmt, x=30, y=50, fontsize=9)


def _read(part: list[str], fmt: str) -> ReportExport:
    data, name = _render([*HEAD, *part, *TAIL], fmt)
    return extract_rules(read_document(data, name)).export


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lead_in", LEAD_INS)
def test_a_different_figure_in_a_lead_in_is_an_error(lead_in: list[str], fmt: str) -> None:
    export = _read([line.format(x="802.10") for line in lead_in], fmt)
    errors = [f for f in export.findings if f.severity == "error"]
    assert [(f.kind, f.paths) for f in errors] == [("conflict", ["budget.personnel_expenditure"])]
    assert sorted(i.value.value for i in errors[0].items) == pytest.approx([802.10, STATED])
    # the reason says why both are the same quantity: the label, the year, no budget word
    assert errors[0].reason_en and "人员经费" in errors[0].reason_en


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lead_in", LEAD_INS)
def test_the_same_figure_in_a_lead_in_is_no_finding(lead_in: list[str], fmt: str) -> None:
    export = _read([line.format(x="820.10") for line in lead_in], fmt)
    assert [f.kind for f in export.findings if f.kind == "conflict"] == []
    assert export.budget.personnel_expenditure.value == pytest.approx(STATED)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "lead_in",
    [
        # a budget, not the final figure
        ["四、部门整体支出绩效情况：人员经费年初预算850.00万元，全年执行率96.5%。"],
        # another year, or last year's as the base of a change
        ["四、部门整体支出绩效情况：2022年人员经费支出790.00万元，本年有所增长。"],
        ["四、部门整体支出绩效情况：人员经费支出较上年的790.00万元增加30.10万元。"],
        # a sub-quota of the field, or the field's share inside a project
        ["四、部门整体支出绩效情况：人员经费中，在职人员工资福利支出650.00万元。"],
        ["四、项目支出绩效情况：项目支出中列支人员经费45.00万元，用于聘用人员劳务。"],
        ["四、部门整体支出绩效情况", "全年支付项目人员经费36.00万元。"],
        # a named item's own figures
        [
            "四、部门整体支出绩效情况",
            "（1）执法办案专项：全年支出52.00万元，人员经费支出12.00万元。",
        ],
    ],
)
def test_other_quantities_in_a_lead_in_are_no_error(lead_in: list[str], fmt: str) -> None:
    export = _read(lead_in, fmt)
    assert [f.paths for f in export.findings if f.severity == "error"] == []
    assert export.budget.personnel_expenditure.value == pytest.approx(STATED)


@pytest.mark.parametrize("sep", ["\t", " | ", " "])
@pytest.mark.parametrize(("restated", "errors"), [("338.00", 1), ("350.00", 0)])
def test_a_structure_table_against_a_lead_in(sep: str, restated: str, errors: int) -> None:
    rows = [["支出项目", "金额", "占比"], ["基本支出", "420.00", "73.88%"],
            ["其中：人员经费", "350.00", "61.57%"], ["公用经费", "70.00", "12.31%"],
            ["项目支出", "148.50", "26.12%"], ["合计", "568.50", "100%"]]  # fmt: skip
    lines = [
        HEAD[0],
        "二、部门收支情况",
        "单位：万元",
        *(sep.join(r) for r in rows),
        f"四、部门整体支出绩效情况：全年人员经费支出{restated}万元，保障了机构运转。",
        *TAIL,
    ]
    export = extract_rules(read_document("\n".join(lines).encode("utf-8"), "report.txt")).export
    found = [f.paths for f in export.findings if f.severity == "error"]
    assert found == [["budget.personnel_expenditure"]] * errors
