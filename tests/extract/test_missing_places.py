"""What was not read: a field whose label words stand nowhere is ``not_stated``; one whose
words stand somewhere without a value read is ``possibly_missed`` with the place (a
``Source`` whose span gives back the label); ``missing`` stays their union (deprecated)."""

from __future__ import annotations

from service.extract import extract
from service.ingest import read_document
from service.records.text_table import render_table

TEXT = (
    "评价年度：2023年\n一、收支情况\n2023年，本所支出合计640.00万元，其中基本支出400.00万元，"
    "项目支出240.00万元。\n年末结转结余情况详见附表，此处不再列示。\n"
)


def test_label_words_without_a_value_are_possibly_missed_with_their_place() -> None:
    doc = read_document(TEXT.encode("utf-8"), "r.txt")
    e = extract(doc).export
    missed = {m.path: m for m in e.possibly_missed}
    assert "budget.carry_over" in missed
    m = missed["budget.carry_over"]
    assert m.label == "年末结转结余"
    assert doc.text[m.source.span.start : m.source.span.end] == "年末结转结余"
    assert m.source.page == 1
    assert "budget.carry_over" not in e.not_stated
    # Words that stand nowhere: not stated; found fields are in neither list.
    assert "three_public.reception.actual" in e.not_stated
    assert "budget.project_expenditure" not in e.missing
    assert set(e.missing) == set(e.not_stated) | set(missed)


def test_the_text_table_shows_both_lists() -> None:
    e = extract(read_document(TEXT.encode("utf-8"), "r.txt")).export
    table = render_table(e)
    assert "Possibly missed 可能漏读" in table and "“年末结转结余” p1" in table
    assert "Not stated 未载明" in table and "three_public.reception.actual" in table
