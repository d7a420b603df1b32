"""The title and what it names (unit, year), whatever the template prints: one line or two,
the year first or the unit first, wrapped inside a word in a PDF."""

from __future__ import annotations

import pymupdf
import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document
from tests.ingest.pdfgen import new_page, to_bytes, write_lines

BODY = "一、部门基本情况\n本单位内设3个股室，主要负责全县相关工作。\n"


def _read(text: str):  # noqa: ANN202
    return extract_rules(read_document(text.encode(), "r.txt")).export.report


@pytest.mark.parametrize(
    ("head", "title", "unit", "year"),
    [
        (
            "2023年度青石县水利局部门整体支出绩效自评报告",
            "2023年度青石县水利局部门整体支出绩效自评报告",
            "青石县水利局",
            2023,
        ),
        (
            "青石县水利局\n2023年度部门整体支出绩效自评报告",
            "青石县水利局2023年度部门整体支出绩效自评报告",
            "青石县水利局",
            2023,
        ),
        (
            "2022年度\n柳河镇人民政府整体支出绩效自评报告",
            "2022年度柳河镇人民政府整体支出绩效自评报告",
            "柳河镇人民政府",
            2022,
        ),
        (
            "柳河县第二中学部门整体绩效自评报告\n（2021年度）",
            "柳河县第二中学部门整体绩效自评报告(2021年度)",  # NFKC brackets
            "柳河县第二中学",
            2021,
        ),
        (
            "东岭县人民政府办公室2024年部门整体支出绩效自评情况报告",
            "东岭县人民政府办公室2024年部门整体支出绩效自评情况报告",
            "东岭县人民政府办公室",
            2024,
        ),
        (
            "2023年度政协东岭县委员会办公室\n\n整体支出绩效评价报告",
            "2023年度政协东岭县委员会办公室整体支出绩效评价报告",
            "政协东岭县委员会办公室",
            2023,
        ),
        (
            "关于青石县城关街道办事处2022年度整体支出绩效自评的报告",
            "关于青石县城关街道办事处2022年度整体支出绩效自评的报告",
            "青石县城关街道办事处",
            2022,
        ),
    ],
)
def test_title_unit_and_year_over_one_or_two_lines(
    head: str, title: str | None, unit: str | None, year: int
) -> None:
    r = _read(f"{head}\n\n{BODY}")
    if title is not None:
        assert r.title.value == title
        assert r.title.source.locator == "title"
    if unit is not None:
        assert r.department.value == unit
        assert r.department.source.locator == "title"
    assert r.fiscal_year.value == year


def test_a_title_naming_only_a_county_names_no_unit() -> None:
    r = _read(f"松林县2023年度部门整体支出绩效自评报告\n\n{BODY}")
    assert r.title.value == "松林县2023年度部门整体支出绩效自评报告"
    assert r.fiscal_year.value == 2023
    assert r.department is None


def test_the_unit_from_the_cover_beats_a_county_title() -> None:
    r = _read(
        "松林县部门整体支出绩效自评报告\n\n部门(单位)名称：松林县林业局\n"
        f"报告日期：2024年3月8日\n\n{BODY}"
    )
    assert (r.department.value, r.department.source.locator) == ("松林县林业局", "cover")
    assert r.title.value == "松林县部门整体支出绩效自评报告"


def test_a_sentence_naming_the_report_is_not_the_title() -> None:
    r = _read(
        "一、基本情况\n现将我局2023年度部门整体支出绩效自评报告报告如下，请审阅。\n"
        "本局内设3个股室。\n"
    )
    assert r.title is None or "现将" not in r.title.value


def test_a_title_wrapped_inside_a_word_in_a_pdf() -> None:
    doc = pymupdf.open()
    page = new_page(doc)
    write_lines(
        page,
        ["2023年度南湖区第一实验小学整体支出绩效自", "评报告", "", "一、部门基本情况"],
        fontsize=16,
    )
    write_lines(page, ["本校有教职工86人，开设班级24个。"], y=200)
    r = extract_rules(read_document(to_bytes(doc), "r.pdf")).export.report
    assert r.title.value == "2023年度南湖区第一实验小学整体支出绩效自评报告"
    assert r.department.value == "南湖区第一实验小学"
    assert r.fiscal_year.value == 2023
    assert r.title.source.page == 1 and r.title.source.boxes


def test_a_running_header_above_the_title_is_not_the_title() -> None:
    header = "青石县水利局 2023年度绩效自评报告"
    pages = [
        f"{header}\n\n青石县水利局2023年度部门整体支出绩效自评报告\n\n{BODY}",
        f"{header}\n二、收支情况\n全年支出820万元。\n",
        f"{header}\n三、评价结论\n自评得分95分。\n",
    ]
    r = _read("\f".join(pages))
    assert r.title.value == "青石县水利局2023年度部门整体支出绩效自评报告"
    assert r.title.source.span.start > len(header)
    assert (r.department.value, r.fiscal_year.value) == ("青石县水利局", 2023)
