"""The review page lists possibly-missed fields as places to look, each boxed on its page
image the way values are (or marked in the text of a pageless document)."""

from __future__ import annotations

from service.document import BBox
from service.extract import extract
from service.ingest import read_document
from service.ui.review import build_review
from service.ui.sources import PageInfo, SourceDoc

TEXT = "评价年度：2023年\n本所支出合计640.00万元。\n年末结转结余情况详见附表。\n"


def _export() -> dict:
    e = extract(read_document(TEXT.encode("utf-8"), "r.txt")).export
    return e.model_dump(mode="json")


def test_possibly_missed_places_are_listed_and_marked_in_the_text() -> None:
    export = _export()
    model = build_review(export, SourceDoc(pages=[], text=TEXT), "zh", set())
    entries = {path: (ref, words, page) for ref, path, _, words, page, _ in model.possibly_missed}
    ref, words, page = entries["budget/carry_over"]
    assert words == "年末结转结余" and page == 1
    html = "".join(str(h) for _, h in model.text_pages)
    assert f'data-refs="{ref}"' in html and ">年末结转结余</mark>" in html


def test_possibly_missed_places_get_boxes_on_a_page_image() -> None:
    export = _export()
    entry = next(m for m in export["possibly_missed"] if m["path"] == "budget.carry_over")
    entry["source"]["boxes"] = [BBox(x0=10, y0=20, x1=110, y1=40).model_dump()]
    page = PageInfo(number=1, start=0, end=len(TEXT), width=600, height=800)
    model = build_review(export, SourceDoc(pages=[page], text=TEXT), "en", set())
    ref = next(r for r, p, *_ in model.possibly_missed if p == "budget/carry_over")
    boxes = [b for b in model.boxes.get(1, []) if b.ref == ref]
    assert len(boxes) == 1 and boxes[0].finding
