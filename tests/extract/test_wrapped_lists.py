"""Inline problem and measure lists (存在问题方面，一是…；二是…。) in PDFs whose lines wrap
at any width: a wrap inside an item, after its ；, or before a marker is no item of its
own, and the items keep their count and words. Every sentence is invented."""

from __future__ import annotations

import io
import unicodedata

import docx
import pymupdf
import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document
from service.records import ReportExport
from tests.ingest.pdfgen import new_page, to_bytes, write_lines

PROBLEMS = [
    "部分专项资金下达较晚，项目实施进度前慢后快，年底集中支付的情况仍然存在",
    "绩效目标编制还不够细化，个别指标难以量化考核，评价结果运用不够充分",
]
MEASURES = [
    "提前谋划年度重点工作，做实项目前期论证，加快资金拨付进度",
    "细化量化绩效指标，健全目标、监控、评价全过程管理",
    "把自评结果与下年预算安排挂钩，督促问题逐项整改到位",
]
PROBLEM_LEAD = "存在问题方面，"
MEASURE_LEAD = "下一步改进措施方面，"
_ORD = "一二三"


def _inline(lead: str, items: list[str]) -> str:
    return lead + "；".join(f"{_ORD[k]}是{t}" for k, t in enumerate(items)) + "。"


def _wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)]


def _pdf(body: list[str], fontsize: float = 10) -> bytes:
    doc = pymupdf.open()
    page = new_page(doc)
    head = [
        "某县林业站2023年度部门整体支出绩效自评报告",
        "一、部门基本情况",
        "本站负责全县林业技术推广。",
    ]
    write_lines(
        page, [*head, *body, "五、其他需要说明的情况", "无。"], x=40, y=60, fontsize=fontsize
    )
    return to_bytes(doc)


def _read(data: bytes, name: str = "report.pdf") -> ReportExport:
    return extract_rules(read_document(data, name)).export


def _texts(items: list) -> list[str]:
    """The items' words as written (values are NFKC: ， reads ,)."""
    return [str(i.text.value).rstrip("。；;") for i in items]


def _nfkc(texts: list[str]) -> list[str]:
    return [unicodedata.normalize("NFKC", t) for t in texts]


@pytest.mark.parametrize("width", [9, 13, 17, 22, 24, 29, 33, 41, 52])
@pytest.mark.parametrize("fontsize", [10, 12])
def test_an_inline_list_wrapped_at_any_width_keeps_its_items(width: int, fontsize: float) -> None:
    width = min(width, int(500 / fontsize))  # the line stays on the page
    body = [
        "四、存在的问题及改进措施",
        *_wrap(_inline(PROBLEM_LEAD, PROBLEMS), width),
        *_wrap(_inline(MEASURE_LEAD, MEASURES), width),
    ]
    export = _read(_pdf(body, fontsize))
    assert _texts(export.problems) == _nfkc(PROBLEMS)
    assert _texts(export.measures) == _nfkc(MEASURES)


@pytest.mark.parametrize("width", [11, 19, 26, 38])
def test_a_run_in_list_under_another_heading(width: int) -> None:
    body = ["四、其他说明", *_wrap(_inline(PROBLEM_LEAD, PROBLEMS), width)]
    export = _read(_pdf(body))
    assert _texts(export.problems) == _nfkc(PROBLEMS)


def test_a_wrap_right_after_the_clause_mark_goes_on_with_the_next_marker() -> None:
    # the first line ends at 一是…；, the second opens with 二是
    first = PROBLEM_LEAD + "一是" + PROBLEMS[0] + "；"
    body = ["四、存在的问题", first, "二是" + PROBLEMS[1] + "。"]
    export = _read(_pdf(body, 9))
    assert _texts(export.problems) == _nfkc(PROBLEMS)


def test_items_one_per_line_stay_apart() -> None:
    # unnumbered items of one line each, of nearly one length: no wrap between them
    items = ["资金拨付进度偏慢；", "绩效指标不够细化；", "结果运用不够充分。"]
    export = _read(_pdf(["四、存在的问题", *items]))
    assert _texts(export.problems) == ["资金拨付进度偏慢", "绩效指标不够细化", "结果运用不够充分"]


def test_a_text_copy_is_read_as_its_lines_say() -> None:
    # no boxes: the paragraphs stand as the text reader cut them (a blank line parts them)
    text = "\n".join(["四、存在的问题", _inline(PROBLEM_LEAD, PROBLEMS), "", "五、其他", "无。"])
    export = _read(text.encode("utf-8"), "report.txt")
    assert _texts(export.problems) == _nfkc(PROBLEMS)


def test_nothing_stated_is_no_item() -> None:
    export = _read(_pdf(["四、存在的问题", "无。", "五、改进措施", "无。"]))
    assert export.problems == [] and export.measures == []


def _hard_wrapped(lines: list[str], fmt: str) -> bytes:
    """A copy with the PDF's line breaks kept: a text file, or one Word paragraph a line."""
    if fmt == "txt":
        return ("\n".join(lines) + "\n").encode("utf-8")
    d = docx.Document()
    for line in lines:
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["txt", "docx"])
@pytest.mark.parametrize("width", [13, 18, 24, 31])
def test_a_hard_wrapped_copy_keeps_its_items(width: int, fmt: str) -> None:
    lines = [
        "某县林业站2023年度部门整体支出绩效自评报告",
        "四、存在的问题及改进措施",
        *_wrap(_inline(PROBLEM_LEAD, PROBLEMS), width),
        *_wrap(_inline(MEASURE_LEAD, MEASURES), width),
        "某县林业站",
        "2024年3月15日",
    ]
    export = _read(_hard_wrapped(lines, fmt), f"report.{fmt}")
    assert _texts(export.problems) == _nfkc(PROBLEMS)
    assert _texts(export.measures) == _nfkc(MEASURES)


@pytest.mark.parametrize("fmt", ["txt", "docx"])
def test_short_unpunctuated_items_of_a_copy_stay_apart(fmt: str) -> None:
    lines = ["四、存在的问题", "资金拨付进度偏慢", "绩效指标不够细化", "五、其他", "无。"]
    export = _read(_hard_wrapped(lines, fmt), f"report.{fmt}")
    assert _texts(export.problems) == ["资金拨付进度偏慢", "绩效指标不够细化"]


@pytest.mark.parametrize("fmt", ["pdf", "txt"])
def test_a_wrap_after_a_sentence_inside_an_item(fmt: str) -> None:
    # the first line ends at a 。 inside item one; the run goes on with 二是 further down
    first = PROBLEM_LEAD + "一是专项资金下达较晚。"
    body = [
        "四、存在的问题",
        *_wrap(first + "部分项目进度滞后；二是绩效指标不够细化。", len(first)),
    ]
    assert body[1] == first
    data = _pdf(body) if fmt == "pdf" else _hard_wrapped(body, "txt")
    export = _read(data, f"report.{fmt}")
    # the item's first sentence is its run-in title, the rest its text
    assert [i.title.value if i.title else None for i in export.problems] == [
        "专项资金下达较晚",
        None,
    ]
    assert _texts(export.problems) == ["部分项目进度滞后", "绩效指标不够细化"]
