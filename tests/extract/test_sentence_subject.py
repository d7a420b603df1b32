"""A sentence whose first clause names another subject — a project under its own name
(“（二）某某改造工程，全年支出…”) or a 三公 item (“三公经费预算…，实际支出…”) — states that
subject's figures; its bare spending labels (全年支出, 实际支出) are not the department's
total. Before, such figures became candidates of ``budget.total_expenditure`` and raised an
error-level conflict on consistent reports. Every text is invented."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document


def _read(text: str):  # noqa: ANN202
    return extract_rules(read_document(text.encode("utf-8"), "report.txt")).export


@pytest.mark.parametrize(
    "subject",
    [
        "（一）乡镇污水管网改造工程，全年支出 1,268,000.00 元。",
        "2.村级活动场所维修，实际支出42.6万元。",
        "农村饮水安全巩固项目，本年支出38万元，完成管网铺设6公里。",
        "本年度“三公”经费预算6.20万元，实际支出5.10万元，其中公务接待费1.10万元。",
        "因公出国（境）费年初未安排，全年支出为0。",
    ],
)
def test_a_sentence_about_another_subject_states_no_total(subject: str) -> None:
    text = (
        "一、收支情况\n本年收入合计860.00万元，全年累计支出845.30万元，其中基本支出700.30万元，"
        f"项目支出145.00万元。\n二、其他情况\n{subject}\n"
    )
    export = _read(text)
    assert export.budget.total_expenditure is not None
    assert export.budget.total_expenditure.value == pytest.approx(845.30)
    assert not [f for f in export.findings if f.severity == "error"]


def test_the_accounts_own_sentences_still_state_the_total() -> None:
    for text, want in [
        ("（二）支出情况，全年支出512.40万元，其中基本支出400万元。", 512.40),
        ("本单位全年收入530万元，实际支出512.4万元。", 512.4),
        ("2023年度部门预算资金执行情况良好，全年支出498.7万元。", 498.7),
    ]:
        export = _read(text)
        assert export.budget.total_expenditure is not None, text
        assert export.budget.total_expenditure.value == pytest.approx(want), text


def test_a_second_statement_of_the_total_is_still_a_conflict() -> None:
    text = (
        "二、收支\n本年支出1,931.25万元。\n三、项目\n1.河道清淤工程，全年支出48.3万元。\n"
        "四、结论\n全年支出合计1,913.25万元，资金使用规范。\n"
    )
    export = _read(text)
    conflicts = [f for f in export.findings if f.kind == "conflict"]
    assert [f.paths for f in conflicts] == [["budget.total_expenditure"]]
    assert "48.3" not in conflicts[0].message_zh
