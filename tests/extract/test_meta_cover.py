"""Report date, budget code and evaluation method as covers label them, dates in Chinese
numerals, and the signature (unit, then date) that closes a report."""

from __future__ import annotations

import datetime as dt

import pytest

from service.extract.meta import find_any_date
from service.extract.rules import extract_rules
from service.ingest import read_document

TITLE = "部门整体支出绩效自评报告"
BODY = "一、部门基本情况\n本站内设3个股室，截至2023年12月31日在职人员12人。\n"


def _report(text: str):  # noqa: ANN202
    return extract_rules(read_document(text.encode(), "r.txt")).export.report


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("二〇二三年三月十五日", dt.date(2023, 3, 15)),
        ("二○二四年十二月三十一日", dt.date(2024, 12, 31)),
        ("于二〇二二年十月一日印发", dt.date(2022, 10, 1)),
        ("2024年4月2日", dt.date(2024, 4, 2)),
        ("二〇二三年二月三十日", None),
        ("二〇二三年三月", None),
    ],
)
def test_dates_in_digits_or_chinese_numerals(text: str, day: dt.date | None) -> None:
    found = find_any_date(text)
    assert (found[0] if found else None) == day
    if found:
        assert text[found[1] : found[2]].endswith("日")


@pytest.mark.parametrize(
    ("line", "day"),
    [
        ("报告日期：2024年3月18日", "2024-03-18"),
        ("填报日期: 2024.03.20", "2024-03-20"),
        ("编制日期：二〇二四年四月八日", "2024-04-08"),
        ("报 告 日 期：  2023 年 5 月 6 日", "2023-05-06"),
        ("填报时间\n2024年2月29日", "2024-02-29"),
    ],
)
def test_report_date_labels(line: str, day: str) -> None:
    r = _report(f"{TITLE}\n\n{line}\n\n{BODY}")
    assert r.report_date.value.isoformat() == day
    assert r.report_date.source.locator == "cover"


@pytest.mark.parametrize("date", ["2024年3月12日", "二〇二四年三月十二日"])
def test_a_signature_dates_the_report(date: str) -> None:
    text = f"{TITLE}\n\n{BODY}五、评价结论\n本站自评得分92分。\n\n梅岭县水文站（盖章）\n{date}\n"
    r = _report(text)
    assert r.report_date.value.isoformat() == "2024-03-12"
    assert r.report_date.source.locator == "signature"
    assert r.department.value == "梅岭县水文站"


def test_a_cover_date_beats_a_signature() -> None:
    text = f"{TITLE}\n\n报告日期：2024年3月10日\n\n{BODY}\n梅岭县水文站\n2024年3月12日\n"
    r = _report(text)
    assert (r.report_date.value.isoformat(), r.report_date.source.locator) == (
        "2024-03-10",
        "cover",
    )


def test_a_date_inside_a_sentence_is_no_report_date() -> None:
    assert _report(f"{TITLE}\n\n{BODY}").report_date is None


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("预算编码：089014", "089014"),
        ("预 算 编 码:   306002", "306002"),
        ("单位编码：A1023-01", "A1023-01"),
        ("部门代码\n012", "012"),
    ],
)
def test_budget_code_labels(line: str, code: str) -> None:
    r = _report(f"{TITLE}\n\n{line}\n\n{BODY}")
    assert (r.budget_code.value, r.budget_code.source.locator) == (code, "cover")


@pytest.mark.parametrize(
    ("line", "method"),
    [
        ("评价方式：部门（单位）绩效自评", "自评"),
        ("评价方式：委托第三方中介机构评价", "中介机构评价"),
        ("评价类型：单位自评☑  中介机构评价□", "自评"),
    ],
)
def test_evaluation_method_written_out_or_ticked(line: str, method: str) -> None:
    r = _report(f"{TITLE}\n\n{line}\n\n{BODY}")
    assert (r.evaluation_method.value, r.evaluation_method.source.locator) == (method, "cover")


def test_evaluation_method_in_a_form_table() -> None:
    form = (
        "单位名称\t梅岭县水文站\n评价方式\t部门（单位）自评☑ 中介机构评价□\n评价机构\t评价工作组\n"
    )
    r = _report(f"{TITLE}\n\n{form}\n{BODY}")
    assert (r.evaluation_method.value, r.evaluator.value) == ("自评", "评价工作组")
    assert r.evaluation_method.source.locator == "cover"


@pytest.mark.parametrize(
    ("line", "method"),
    [
        ("评价方式：☑部门（单位）自评  □中介机构评价", "自评"),
        ("评价方式：□部门（单位）自评  ■中介机构评价", "中介机构评价"),
        ("评价方式：部门（单位）自评□  中介机构评价☒", "中介机构评价"),
    ],
)
def test_the_box_before_or_after_its_option(line: str, method: str) -> None:
    assert _report(f"{TITLE}\n\n{line}\n\n{BODY}").evaluation_method.value == method


@pytest.mark.parametrize(
    ("line", "method"),
    [
        ("评价方式：部门（单位）自评 □中介机构评价", "自评"),  # the ticked box lost, boxes first
        ("评价方式：部门（单位）自评□ 中介机构评价", "中介机构评价"),  # boxes after
    ],
)
def test_a_lost_tick_by_where_the_boxes_stand(line: str, method: str) -> None:
    r = _report(f"{TITLE}\n\n{line}\n\n{BODY}")
    assert (r.evaluation_method.value, r.evaluation_method.source.locator) == (
        method,
        "cover:box lost",
    )
