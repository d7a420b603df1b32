"""A 自评表 placed before the report's own tables (the form first, then the narrative with
its money, 三公 and project tables) keeps its rows, and the later tables are read as
themselves, not as more rows of the 自评表."""

from __future__ import annotations

import io

import docx
import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport

SELF_EVAL = [
    ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
    ["产出指标", "数量指标", "办理案件数", "≥120件", "135件", "20", "20"],
    ["产出指标", "质量指标", "办结率", "≥95%", "97%", "20", "19"],
    ["效益指标", "社会效益指标", "群众满意度", "≥90%", "94%", "20", "18"],
]
THREE_PUBLIC = [
    ["项目", "预算数", "决算数", "上年决算数"],
    ["因公出国（境）费", "0.00", "0.00", "0.00"],
    ["公务接待费", "3.50", "3.12", "3.40"],
    ["公务用车购置及运行维护费", "9.00", "8.46", "8.90"],
    ["合计", "12.50", "11.58", "12.30"],
]
PROJECTS = [
    ["项目名称", "预算数", "实际支出"],
    ["执法装备购置项目", "48.00", "45.60"],
    ["信息化运维项目", "22.00", "21.30"],
]


def _report(total_row: bool, between: str) -> list[tuple[str, list[list[str]] | str]]:
    form = [*SELF_EVAL, ["合计", "", "", "", "", "60", "57"]] if total_row else SELF_EVAL
    return [
        ("p", "某某县综合行政执法局2023年度部门整体支出绩效自评报告"),
        ("p", "附：部门整体支出绩效自评表"),
        ("t", form),
        ("p", between),
        ("p", "一、“三公”经费情况"),
        ("p", "2023年“三公”经费支出情况见下表（单位：万元）。"),
        ("t", THREE_PUBLIC),
        ("p", "二、项目支出情况"),
        ("p", "本年度实施项目2个，情况如下（单位：万元）。"),
        ("t", PROJECTS),
        ("p", "三、自评结论"),
        ("p", "本单位自评得分57分。"),
    ]


def _docx(parts: list[tuple[str, list[list[str]] | str]]) -> bytes:
    d = docx.Document()
    for kind, body in parts:
        if kind == "p":
            assert isinstance(body, str)
            d.add_paragraph(body)
            continue
        assert isinstance(body, list)
        t = d.add_table(rows=len(body), cols=len(body[0]))
        for r, row in enumerate(body):
            for c, text in enumerate(row):
                t.cell(r, c).text = text
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _txt(parts: list[tuple[str, list[list[str]] | str]]) -> bytes:
    lines: list[str] = []
    for kind, body in parts:
        lines += [body] if isinstance(body, str) else ["\t".join(row) for row in body]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _read(fmt: str, total_row: bool, between: str) -> ReportExport:
    parts = _report(total_row, between)
    data = _docx(parts) if fmt == "docx" else _txt(parts)
    return extract_rules(read_document(data, f"report.{fmt}")).export


def _v(q: object) -> float | None:
    return None if q is None else float(q.value)  # type: ignore[attr-defined]


@pytest.mark.parametrize("fmt", ["docx", "txt"])
@pytest.mark.parametrize("total_row", [True, False])
@pytest.mark.parametrize(
    "between", ["自评表后为本单位2023年度整体支出绩效自评报告正文。", "（一）部门基本情况"]
)
def test_tables_after_a_self_eval_form_are_their_own(
    fmt: str, total_row: bool, between: str
) -> None:
    export = _read(fmt, total_row, between)
    tp = export.three_public
    assert (_v(tp.reception.actual), _v(tp.reception.budget), _v(tp.reception.previous)) == (
        3.12,
        3.5,
        3.4,
    )
    assert (_v(tp.vehicle.budget), _v(tp.vehicle.previous)) == (9.0, 8.9)
    assert (_v(tp.total.budget), _v(tp.total.actual), _v(tp.total.previous)) == (12.5, 11.58, 12.3)
    projects = {p.name.value: _v(p.amount) for p in export.projects if p.name is not None}
    assert projects == {"执法装备购置项目": 45.6, "信息化运维项目": 21.3}
    names = [i.level3.value for i in export.indicators if i.level3 is not None]
    assert names == ["办理案件数", "办结率", "群众满意度"]  # no row taken from the later tables


def test_a_self_eval_form_continued_after_a_page_line_keeps_its_rows() -> None:
    """The other side: the same form split in two tables with only 续表 between them is one
    自评表 (its second part has no header of its own)."""
    d = docx.Document()
    d.add_paragraph("部门整体支出绩效自评表")
    for rows in (
        SELF_EVAL,
        [["效益指标", "可持续影响指标", "制度完善率", "100%", "100%", "10", "10"]],
    ):
        t = d.add_table(rows=len(rows), cols=7)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                t.cell(r, c).text = text
        d.add_paragraph("续表")
    buf = io.BytesIO()
    d.save(buf)
    export = extract_rules(read_document(buf.getvalue(), "form.docx")).export
    names = [i.level3.value for i in export.indicators if i.level3 is not None]
    assert names == ["办理案件数", "办结率", "群众满意度", "制度完善率"]
