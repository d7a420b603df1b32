"""The cover's checkboxes (评价方式 / 评价机构), as printed and as OCR reads them."""

from __future__ import annotations

from service.extract.rules import extract_rules
from tests.extract.docs import text_doc


def _report(lines: list[str]):  # noqa: ANN202
    return extract_rules(text_doc([*lines, "一、部门基本情况"])).export.report


def test_the_ticked_option_is_read() -> None:
    r = _report(
        ["评价方式：部门（单位）自评☒ 中介机构评价□", "评价机构：部门（单位）评价组☒ 中介机构☐"]
    )
    assert (r.evaluation_method.value, r.evaluator.value) == ("自评", "部门(单位)评价组")


def test_a_tick_lost_in_ocr_is_the_one_unboxed_option() -> None:
    # OCR kept the empty boxes and dropped the ticked one (seed 002's scan).
    r = _report(["评价方式:部门(单位)自评中介机构评价□", "评价机构:部门(单位)评价组", "中介机构□"])
    assert (r.evaluation_method.value, r.evaluation_method.raw) == ("自评", "部门(单位)自评")
    assert r.evaluator.value == "部门(单位)评价组"
    assert r.evaluation_method.source is not None
    assert r.evaluation_method.source.locator == "cover:box lost"


def test_no_box_at_all_says_nothing() -> None:
    r = _report(["评价方式:部门(单位)自评 中介机构评价"])
    assert r.evaluation_method is None
