"""The page viewer's server side: find-in-page over the read text (page and boxes where the
text stands), each part of a value drawn on the page it stands on, and the box of a
corrected value shown as where the old reading stood, not as the new value."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.document import BBox
from service.extract import extract
from service.ingest import read_document
from service.ui.page_find import find, value_parts
from service.ui.review import build_review
from service.ui.sources import PageInfo, Segment, SourceDoc, source_from_json
from tests.api.conftest import make_pdf, processed, report_text
from tests.ui.conftest import login

P1 = ["第一部分 部门概况", "本局主要职责是生态环境执法。"]
P2 = ["二、年度目标完成情况", "项目支出完成率为98%，较上年提高。", "执法检查完成率达到100%。"]


def _pdf_source() -> SourceDoc:
    doc = read_document(make_pdf([P1, P2]), "r.pdf")
    return source_from_json(doc.model_dump(mode="json"))


def test_find_gives_each_hit_its_page_and_a_box_over_the_words() -> None:
    source = _pdf_source()
    hits, total = find(source, "完成率")
    assert total == 2 and [h.page for h in hits] == [2, 2]
    first = hits[0]
    assert source.text[first.start : first.end] == "完成率"
    (box,) = first.boxes
    assert box.page == 2
    # the second line of page 2 stands at y=112 (baseline), 12 pt type: 10-14 % down
    assert 10 < box.top < 14 and box.height < 3
    # after the four characters 项目支出 (48 pt from x=72): from about 20 % of the width
    assert 19 < box.left < 22 and 5 < box.width < 8
    assert hits[1].boxes[0].top > box.top  # the next line down


def test_find_is_case_blind_for_latin_and_normalises_full_width() -> None:
    source = SourceDoc(pages=[PageInfo(1, None, None, 0, 40)], text="ABC 项目 abc 98%\nAbc")
    hits, total = find(source, "ａｂｃ")  # full-width letters, as typed with a CJK IME
    assert total == 3 and all(h.boxes == [] and h.page == 1 for h in hits)
    assert find(source, "98％")[1] == 1
    assert find(source, "没有这个词")[1] == 0
    assert find(source, "   ")[1] == 0


def test_each_part_of_a_value_over_a_page_break_is_drawn_on_its_own_page() -> None:
    text = "项目支出合计为1,2\n- 1 -\n34.50万元。"
    source = SourceDoc(
        pages=[
            PageInfo(1, 595, 842, 0, 16),
            PageInfo(2, 595, 842, 16, len(text)),
        ],
        text=text,
        segments=[
            Segment(0, 10, 1, (72, 760, 192, 772)),
            Segment(11, 16, 1, (280, 800, 315, 812)),  # the page's running number
            Segment(17, len(text), 2, (72, 78, 160, 90)),
        ],
    )
    stored = [(156, 760, 192, 772), (280, 800, 315, 812), (72, 78, 130, 90)]
    parts = value_parts(source, {"start": 7, "end": 24}, stored, 1)
    assert parts == [(1, stored[0]), (2, stored[2])]  # no box over the footer
    # an old reading whose lines are not known: every box stays on the value's page
    bare = SourceDoc(pages=source.pages, text=text)
    assert [p for p, _ in value_parts(bare, {"start": 7, "end": 24}, stored, 1)] == [1, 1, 1]


def test_a_value_in_a_wrapped_table_cell_is_boxed_as_the_whole_cell() -> None:
    cell_text = "本年度专项资金预算执行率达到百分之九十八"  # 20 characters over two lines
    line_text = "执法检查完成率达到100%"
    text = f"{cell_text}\n{line_text}"
    cell = Segment(0, len(cell_text), 1, (300, 200, 420, 232))  # two 12 pt lines, 120 pt wide
    line = Segment(len(cell_text) + 1, len(text), 1, (72, 300, 204, 315))  # one line
    source = SourceDoc(
        pages=[PageInfo(1, 595, 842, 0, len(text))], text=text, segments=[cell, line]
    )
    sliver = (410.0, 200.0, 420.0, 232.0)  # what interpolation along one line gives
    assert value_parts(source, {"start": 13, "end": 20}, [sliver], 1) == [(1, cell.box)]
    (hit,), _ = find(source, "九十八")
    assert hit.boxes[0].left == pytest.approx((300 - 1) / 595 * 100)
    assert hit.boxes[0].width == pytest.approx((120 + 2) / 595 * 100)
    # a part of a line that does not wrap keeps its own box, not the line's
    (hit,), _ = find(source, "100%")
    assert hit.boxes[0].left > (72 + 60) / 595 * 100
    part = (150.0, 300.0, 204.0, 315.0)
    assert value_parts(source, {"start": 29, "end": 33}, [part], 1) == [(1, part)]


def _export_with_box(text: str) -> dict:
    export = extract(read_document(text.encode("utf-8"), "r.txt")).export.model_dump(mode="json")
    node = export["budget"]["total_expenditure"]
    span = node["source"]["span"]
    node["source"]["boxes"] = [BBox(x0=100, y0=200, x1=180, y1=214).model_dump()]
    return export, span


def test_a_corrected_value_keeps_its_old_box_as_the_old_text_only() -> None:
    text = "评价年度：2023年\n本局支出合计640.00万元。\n"
    export, span = _export_with_box(text)
    page = PageInfo(1, 595, 842, 0, len(text))
    source = SourceDoc(pages=[page], text=text)
    path = "budget/total_expenditure"
    fresh = [b for b in build_review(export, source, "zh", set()).boxes[1] if b.ref == path]
    assert len(fresh) == 1 and not fresh[0].was and "640" in fresh[0].label
    export["budget"]["total_expenditure"]["value"] = 604.0  # the reviewer's correction
    model = build_review(export, source, "zh", {path})
    (old,) = [b for b in model.boxes[1] if b.ref == path]
    assert old.was and "更正前" in old.label and "640.00万元" in old.label
    assert "604" not in old.label


def test_find_route_answers_hits_of_the_document(client: TestClient, keys: dict[str, str]) -> None:
    api = {"X-API-Key": keys["uploader"]}
    doc = processed(client, api, report_text(department="衡阳市生态环境局"))
    login(client, keys["reviewer"])
    r = client.get(f"/ui/documents/{doc}/find", params={"q": "预算编制"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 1 and body["hits"][0]["page"] == 1
    assert body["hits"][0]["boxes"] == []  # a text file: no page images to box
    assert client.get(f"/ui/documents/{doc}/find", params={"q": "不存在的词"}).json()["total"] == 0
    assert client.get("/ui/documents/no-such/find", params={"q": "x"}).status_code == 404
