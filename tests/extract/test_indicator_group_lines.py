"""Levels given as a group heading above their rows, in a grid (a row merged across the
table), a tab copy (a line without tabs between tab-separated rows) and a glued copy:
plain, numbered (一、 （一）), with points (产出指标（40分）), two levels parted by a dash,
and the 部门整体 framework's names (过程, 产出)."""

from __future__ import annotations

import io

import docx
import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document
from tests.extract.test_indicator_families import rows

HEADER = ["三级指标", "年度指标值", "实际完成值", "分值", "得分"]
FIRST = [
    ["巡河次数", "≥120次", "131次", "10", "10"],
    ["河长制经费", "≤85万元", "83.2万元", "10", "9"],
]
SECOND = [["群众满意度", "≥90%", "94%", "10", "10"]]

HEADINGS = [
    # (first heading, second heading, levels of the first rows, levels of the last)
    ("产出指标", "效益指标", ("产出指标", None), ("效益指标", None)),
    ("一、产出指标", "二、效益指标", ("产出指标", None), ("效益指标", None)),
    ("产出指标（40分）", "效益指标（20分）", ("产出指标", None), ("效益指标", None)),
    (
        "产出指标—数量指标",
        "效益指标—社会效益指标",
        ("产出指标", "数量指标"),
        ("效益指标", "社会效益指标"),
    ),
    ("（一）过程", "（二）产出", ("过程", None), ("产出", None)),
]


def _docx(first: str, second: str) -> bytes:
    d = docx.Document()
    d.add_paragraph("附件：部门整体支出绩效自评表")
    body = [HEADER, [first], *FIRST, [second], *SECOND]
    t = d.add_table(rows=len(body), cols=len(HEADER))
    t.style = "Table Grid"
    for r, row in enumerate(body):
        if len(row) == 1:  # the heading merged across the table
            t.cell(r, 0).merge(t.cell(r, len(HEADER) - 1)).text = row[0]
        else:
            for c, text in enumerate(row):
                t.cell(r, c).text = text
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _text(first: str, second: str, sep: str) -> bytes:
    body = [HEADER, [first], *FIRST, [second], *SECOND]
    return ("附件：部门整体支出绩效自评表\n" + "\n".join(sep.join(r) for r in body) + "\n").encode()


RENDER = {
    "docx": lambda a, b: (_docx(a, b), "table.docx"),
    "tabs": lambda a, b: (_text(a, b, "\t"), "copy.txt"),
    "glued": lambda a, b: (_text(a, b, ""), "copy.txt"),
}


@pytest.mark.parametrize("fmt", sorted(RENDER))
@pytest.mark.parametrize(("first", "second", "upper", "lower"), HEADINGS, ids=lambda x: str(x))
def test_group_heading_gives_its_levels_to_the_rows_below(
    fmt: str, first: str, second: str, upper: tuple, lower: tuple
) -> None:
    e = extract_rules(read_document(*RENDER[fmt](first, second))).export
    assert rows(e) == [
        (*upper, "巡河次数", 120.0, 131.0, 10.0, 10.0),
        (*upper, "河长制经费", 85.0, 83.2, 10.0, 9.0),
        (*lower, "群众满意度", 90.0, 94.0, 10.0, 10.0),
    ]
    level1 = e.indicators[0].level1  # grounded on its words, the number and points dropped
    assert upper[0] in level1.raw and not set("、()（）0123456789") & set(level1.value)


def test_a_heading_that_names_no_level_gives_none() -> None:
    """一、主要工作 is no level name: the rows have no levels, and are still read."""
    e = extract_rules(read_document(*RENDER["docx"]("一、主要工作", "二、其他工作"))).export
    assert [(i.level1, i.level3.value) for i in e.indicators] == [
        (None, "巡河次数"),
        (None, "河长制经费"),
        (None, "群众满意度"),
    ]
