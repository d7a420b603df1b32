"""Headcounts (人员情况) in sentences: a total with its sub-quotas, counts in 个/名/人,
实有人数 / 在职在编 / 退休人员, label and count on separate lines or in label：count form,
last year's headcount set apart. Every text here is invented."""

from __future__ import annotations

import pytest

from service.extract.resolve import get_path
from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport

HEAD = "2023年度部门整体支出绩效自评报告\n"


def read(text: str) -> ReportExport:
    return extract_rules(read_document(text.encode("utf-8"), "t.txt")).export


@pytest.mark.parametrize(
    ("text", "path", "expected", "unit"),
    [
        ("核定编制52名，其中行政编制15名、事业编制34名、工勤编制3名。", "staffing.authorized", 52, "名"),
        ("本局批复编制数为18个，实有人数16人。", "staffing.authorized", 18, "个"),
        ("本局批复编制数为18个，实有人数16人。", "staffing.actual", 16, "人"),
        ("单位编制人数：\n36人\n", "staffing.authorized", 36, "人"),
        ("一、基本情况\n编制数：27\n", "staffing.authorized", 27, None),
        ("在职在编人员为29名，退休人员11名。", "staffing.actual", 29, "名"),
        ("在职在编人员为29名，退休人员11名。", "staffing.retired", 11, "名"),
        ("年末实际在岗人数 44 人。", "staffing.actual", 44, "人"),
        ("编制人数、实有人数分别为52人、48人。", "staffing.actual", 48, "人"),
        ("另有离退休人员：\n23人\n", "staffing.retired", 23, "人"),
        (HEAD + "上年末在职人数45人，本年末在职人数47人。", "staffing.actual", 47, "人"),
    ],
)  # fmt: skip
def test_headcounts(text: str, path: str, expected: int, unit: str | None) -> None:
    got = get_path(read(text), path)
    assert got is not None, f"{path} not read from {text!r}"
    assert got.value == expected
    assert got.unit == unit


@pytest.mark.parametrize(
    "text",
    [
        "本中心行政编制4名、事业编制21名，共计25名。",
        "其中全额拨款事业编制20个，工勤编制5个，合计25个。",
        "核定参公编制6人、工勤编制19人，编制共有25人。",
    ],
)
def test_a_total_after_its_sub_quotas(text: str) -> None:
    got = read(text).staffing.authorized
    assert got is not None and got.value == 25


def test_sub_quotas_are_not_a_second_value_of_the_total() -> None:
    export = read("核定编制52名，其中行政编制15名、事业编制34名、工勤编制3名。")
    assert export.staffing.authorized is not None
    assert export.staffing.authorized.value == 52
    assert not [f for f in export.findings if "staffing.authorized" in f.paths]


@pytest.mark.parametrize(
    ("text", "path", "not_value"),
    [
        (HEAD + "上年末在职人数45人，本年末在职人数47人。", "staffing.actual", 45),
        ("编制外聘用人员6人。", "staffing.authorized", 6),
        ("退休人员占在职人数的30%。", "staffing.retired", 30),
        ("编外人员12人，临时在岗人员5人。", "staffing.actual", 5),
    ],
)
def test_what_is_not_the_headcount(text: str, path: str, not_value: int) -> None:
    got = get_path(read(text), path)
    assert got is None or got.value != not_value, f"{path} read {got.value} from {text!r}"


@pytest.mark.parametrize(
    ("text", "expected", "unit"),
    [
        ("现有在岗干部职工37人，退休人员6人。", 37, "人"),
        ("本馆核定编制40名，在职29名。", 29, "名"),
        ("实有在编人员：31名", 31, "名"),
        ("目前在职干部 26 名。", 26, "名"),
        ("现有职工24人，均为在编人员。", 24, "人"),
        ("核定行政编制12名，实有11人。", 11, "人"),
        ("单位共有干部职工14人，退休人员6人。", 14, "人"),
    ],
)
def test_in_post_worded_otherwise(text: str, expected: int, unit: str) -> None:
    got = read(text).staffing.actual
    assert got is not None, f"in post not read from {text!r}"
    assert (got.value, got.unit) == (expected, unit)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("编制数：行政9名、事业6名，共15名。", 15),
        ("核定编制：行政编制9名，事业编制6名，合计15名。", 15),
        ("编制情况：政法专项7人、行政8人，总数为15人。", 15),
        ("编制总数15名，其中行政9名、事业6名。", 15),
        ("核定政法专项编制41名，实有39名。", 41),
        ("核定事业编制25名。", 25),
        ("本所编制总额为18个。", 18),
    ],
)
def test_authorized_worded_otherwise_and_totals_after_kinds(text: str, expected: int) -> None:
    got = read(text).staffing.authorized
    assert got is not None and got.value == expected, text


@pytest.mark.parametrize(
    "text",
    ["核定行政编制15名、事业编制34名。", "编制数：行政9名、事业6名。"],
)
def test_one_kind_among_several_is_not_the_whole_quota(text: str) -> None:
    assert read(text).staffing.authorized is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("离休2人、退休13人，离退休合计15人。", 15),
        ("离休人员1名，退休人员20名，共计离退休人员21名。", 21),
        ("退休干部9人，离休干部3人。离退休人员共12人。", 12),
        ("离休人员2名、退休人员13名，合计15名。", 15),
        ("退休职工20人和离休干部1人，共计21人。", 21),
    ],
)
def test_retired_total_beside_its_parts(text: str, expected: int) -> None:
    export = read(text)
    assert export.staffing.retired is not None and export.staffing.retired.value == expected
    assert not [f for f in export.findings if "retired" in str(f)]
