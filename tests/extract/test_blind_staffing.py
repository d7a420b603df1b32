"""Headcounts worded by the kind of staff (教职工, 民警, 干部职工, 在编人员): the count of the
unit's own staff; auxiliary and temporary staff, sub-quotas and a part after 其中 are not it."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document


def _export(sentence: str):  # noqa: ANN202
    text = f"部门整体支出绩效自评报告\n\n一、基本情况\n{sentence}\n"
    return extract_rules(read_document(text.encode(), "r.txt")).export


def _count(q) -> tuple[int, str] | None:  # noqa: ANN001
    return None if q is None else (q.value, q.unit)


@pytest.mark.parametrize(
    ("sentence", "authorized", "actual"),
    [
        ("本校核定编制160人，在职教职工151人，其中专任教师120人。", (160, "人"), (151, "人")),
        ("本局核定政法专项编制185名，实有民警179名，另有辅警62名。", (185, "名"), (179, "名")),
        ("本中心编制30人，在编人员28人，聘用人员12人。", (30, "人"), (28, "人")),
        ("本镇现有干部职工86人，其中行政编制40人、事业编制30人，临聘人员16人。", None, (86, "人")),
        ("本大队有在编民警45名，辅警30名，退休干警12名。", None, (45, "名")),
        # a part after 其中 beside auxiliary staff is the unit's own count; alone, a part
        ("现有教职工98人，其中在编教职工90人，临聘教师8人。", None, (90, "人")),
        ("本院现有职工320人，其中在编人员210人，聘用人员110人。", None, (210, "人")),
        ("现有干部职工50人，其中在编人员45人。", None, (50, "人")),
        ("全所在职在编工作人员32人，编外聘用人员8人。", None, (32, "人")),
        ("全院正式职工120人，合同制人员30人。", None, (120, "人")),
        ("全镇编制内人员40人，编外人员12人。", None, (40, "人")),
        ("核定编制内人数30人，实有28人。", (30, "人"), (28, "人")),
    ],
)
def test_headcounts_by_kind_of_staff(sentence: str, authorized, actual) -> None:  # noqa: ANN001
    export = _export(sentence)
    assert _count(export.staffing.authorized) == authorized
    assert _count(export.staffing.actual) == actual
    assert [f for f in export.findings if any(p.startswith("staffing.") for p in f.paths)] == []


@pytest.mark.parametrize(
    "sentence",
    [
        "另有辅警62名，协警10名。",
        "聘用临时工作人员16人。",
        "退休教职工40人。",
        "全年培训民警300人次。",
        "本队现有民警、辅警共计120人。",
        "现有在岗人员及临聘人员合计60人。",
    ],
)
def test_auxiliary_and_temporary_staff_are_no_headcount(sentence: str) -> None:
    assert _export(sentence).staffing.actual is None
