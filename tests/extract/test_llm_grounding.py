"""Grounding of LLM quotes: exact, then normalised (NFKC, full/half width, whitespace),
mapped back to offsets of the original text; values looked up inside their quotes."""

from __future__ import annotations

from service.extract.llm.grounding import FoldedText, align_quote, find_number, fold

TEXT = "二、支出情况\n2021年度 一般公共预算的基本支出为1059.01万元，其中人员经费847.72万元；\n公务接待费完成0.11万元，比上年减少0.84万元。"


def test_exact_quote_gets_its_span() -> None:
    doc = FoldedText(TEXT)
    got = align_quote(doc, "人员经费847.72万元")
    assert got is not None and got.method == "exact"
    assert TEXT[got.start : got.end] == "人员经费847.72万元"


def test_normalised_quote_maps_back_to_original_offsets() -> None:
    doc = FoldedText(TEXT)
    # full-width digits and punctuation, spaces the model dropped or added
    got = align_quote(doc, "２０２１年度一般公共预算的基本支出为１０５９．０１万元,其中")
    assert got is not None and got.method == "normalized"
    assert TEXT[got.start : got.end] == "2021年度 一般公共预算的基本支出为1059.01万元，其中"
    # a quote across a line break
    got = align_quote(doc, "847.72万元； 公务接待费")
    assert got is not None and TEXT[got.start : got.end] == "847.72万元；\n公务接待费"


def test_table_quote_with_cell_separators_aligns_to_tab_separated_row() -> None:
    text = "项目支出\t50.3\t53.5\t53.5\n"
    got = align_quote(FoldedText(text), "项目支出 | 50.3 | 53.5 | 53.5")
    assert got is not None and text[got.start : got.end] == "项目支出\t50.3\t53.5\t53.5"


def test_invented_quote_is_not_found() -> None:
    doc = FoldedText(TEXT)
    assert align_quote(doc, "日常公用经费111.29万元") is None
    assert align_quote(doc, "   ") is None


def test_window_and_nearest_occurrence() -> None:
    text = "得分 5 … 分值 5 … 得分 5"
    doc = FoldedText(text)
    first = align_quote(doc, "得分 5")
    last = align_quote(doc, "得分 5", near=len(text))
    assert first is not None and last is not None and first.start < last.start
    assert align_quote(doc, "分值", window=(0, 4)) is None


def test_value_inside_quote_with_units_and_direction() -> None:
    doc = FoldedText(TEXT)
    q = align_quote(doc, "比上年减少0.84万元")
    assert q is not None
    m = find_number(TEXT, q.start, q.end, 0.84, "万元")
    assert m is not None and TEXT[m.start : m.end] == "减少0.84万元"
    assert m.quantity.direction == "下降"
    # the model answering in 元 what the text states in 万元 still matches
    assert find_number(TEXT, q.start, q.end, 8400, "元") is not None
    # 111.29 is not 211.29: the invented digit is caught
    assert find_number("日常公用经费211.29万元", 0, 14, 111.29, "万元") is None


def test_table_cells_are_read_one_by_one_and_the_last_match_wins() -> None:
    row = "部门基本支出预算调整\t15.02\t\t-157.36"
    m = find_number(row, 0, len(row), -157.36, "万元")
    assert m is not None and row[m.start : m.end] == "-157.36"
    row = "项目支出\t50.3\t53.5\t53.5"
    m = find_number(row, 0, len(row), 53.5, "万元")
    assert m is not None and m.start == row.rindex("53.5")


def test_fold_drops_whitespace_and_unifies_variants() -> None:
    assert fold("（一） 基本 支出—“三公”") == fold('(一)基本支出-"三公"')
