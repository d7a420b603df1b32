"""The plain-text reader on the two seed reports and on made-up text."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.config import Limits
from service.document import Document, TextSource
from service.errors import EmptyFileError, MislabelledFileError, TooManyPagesError
from service.ingest import IngestOptions, read_document
from service.ingest.flat_tables import FlatTable, split_flat_tables

SEED_000 = "000_de21ebe0f04bc952.txt"
SEED_002 = "002_8a698bcfafd5a356.txt"


@pytest.fixture(scope="session")
def seed_docs(seeds: Path) -> dict[str, Document]:
    return {name: read_document((seeds / name).read_bytes(), name) for name in (SEED_000, SEED_002)}


def _assert_grounded(doc: Document) -> None:
    for line in doc.lines:
        text = doc.slice(line.span)
        assert text and "\n" not in text and "\t" not in text
    for table in doc.tables:
        assert doc.slice(table.span).count("\n") == table.n_rows
        for cell in table.cells:
            assert doc.text[cell.span.start : cell.span.end] == cell.text
            assert table.span.contains(cell.span)


@pytest.mark.parametrize("name", [SEED_000, SEED_002])
def test_seed_reads_as_one_grounded_page(seed_docs: dict[str, Document], name: str) -> None:
    doc = seed_docs[name]
    assert len(doc.pages) == 1
    page = doc.pages[0]
    assert (page.width, page.height, page.text_source) == (None, None, TextSource.text_layer)
    assert all(line.bbox is None for line in doc.lines)
    assert len(doc.tables) == 2
    _assert_grounded(doc)
    assert Document.model_validate_json(doc.model_dump_json()) == doc


# How the expected sizes were counted, by reading the seed files line by line:
#
# Seed 000, 附件1 基础数据表 (source lines 70-199): rows are separated by blank lines.
# 22 rows of 4 cells (财政供养人员情况 ... 政府采购金额, lines 70-178), then the
# 楼堂馆所 header row of 7 cells (lines 180-188, two cells wrap onto a second line),
# the row of one empty cell + six "0" (lines 190-196) and 厉行节约保障措施 + its text
# (lines 198-199): 25 rows, widest 7.
# Seed 000, 附件2 绩效自评表 (lines 205-476): 预算部门 (2 cells), the 年度预算申请 header
# (8), 年度资金总额 (8), seven 3-cell rows (按收入/支出性质 ... 实际完成情况 and the goal
# texts) = 10 rows; the indicator header (9 cells: 绩效指标 … 偏差原因分析及改进措施);
# 11 产出 rows + 5 效益 rows + 2 可持续 rows + 1 满意度 row, 9 cells each; 总分 (3 cells):
# 10 + 1 + 19 + 1 = 31 rows, widest 9.
# Seed 002, 基础数据表 (lines 235-255): 21 tab-separated lines; the header line holds 4 tabs
# ("…控制率\t" keeps a trailing empty field) and 楼堂馆所 has 5 fields: widest 5.
# Seed 002, 绩效自评表 (lines 261-293): 21 lines of 8 fields, a blank line (a page-break
# gap), then 11 lines of 9 fields starting "绩效指标\t时效指标": one table of 32 rows, 9 wide.
@pytest.mark.parametrize(
    ("name", "index", "n_rows", "n_cols", "first_cell"),
    [
        (SEED_000, 0, 25, 7, "财政供养人员情况(人)"),
        (SEED_000, 1, 31, 9, "预算部门"),
        (SEED_002, 0, 21, 5, "财政供养人员情况"),
        (SEED_002, 1, 32, 9, "预算部门名称"),
    ],
)
def test_seed_tables_are_grids(
    seed_docs: dict[str, Document],
    name: str,
    index: int,
    n_rows: int,
    n_cols: int,
    first_cell: str,
) -> None:
    table = seed_docs[name].tables[index]
    assert (table.n_rows, table.n_cols) == (n_rows, n_cols)
    assert table.cell_at(0, 0) is not None
    assert table.cell_at(0, 0).text == first_cell


def test_seed_000_wrapped_cells_are_joined(seed_docs: dict[str, Document]) -> None:
    basic, self_eval = seed_docs[SEED_000].tables
    grid = basic.grid()
    assert grid[1][1:4] == ["76", "76", "100%"]  # "\t　76" and "\t76　": full-width spaces go
    assert grid[22][:2] == ["楼堂馆所控制情况(2021年完工项目)", "批复规模(m2)"]
    assert grid[24][0] == "厉行节约保障措施"
    rows = self_eval.grid()
    assert rows[1][0] == "年度预算申请(万元)"
    assert rows[10] == [
        "绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值",
        "实际完成值", "分值", "得分", "偏差原因分析及改进措施",
    ]  # fmt: skip
    # "产出指标" / blank line / "(50分)" is one cell, not a row break.
    assert rows[11][:4] == ["", "产出指标(50分)", "数量指标", "涉污企业排查率"]
    assert rows[30][:3] == ["总分", "100分", "100分"]


def test_seed_002_blocks_across_a_gap_form_one_table(seed_docs: dict[str, Document]) -> None:
    table = seed_docs[SEED_002].tables[1]
    rows = table.grid()
    assert rows[2][:8] == [
        "年度预算申请 (万元)", "", "2376.33", "3172.18", "3157.85", "10", "99.54%", "10.00",
    ]  # fmt: skip
    assert rows[21][:2] == ["绩效指标", "时效指标"]
    assert rows[31][0] == "生态环境成本指标"


def test_seed_prose_keeps_every_character(seeds: Path, seed_docs: dict[str, Document]) -> None:
    import unicodedata
    from collections import Counter

    for name, doc in seed_docs.items():
        source = unicodedata.normalize("NFKC", (seeds / name).read_text(encoding="utf-8"))
        assert Counter(c for c in source if not c.isspace()) == Counter(
            c for c in doc.text if not c.isspace()
        )


def test_full_width_digits_become_ascii() -> None:
    doc = read_document("支出总额：１１１２．５１万元\n".encode(), "r.txt")
    assert doc.text == "支出总额:1112.51万元\n"
    assert doc.slice(doc.lines[0].span) == "支出总额:1112.51万元"


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-8-sig"])
def test_encodings(encoding: str) -> None:
    text = "一、部门基本情况\r\n\r\n项目支出\t53.5\t52.53\r\n基本支出\t1059.01\t1059.01\r\n"
    doc = read_document(text.encode(encoding), "r.txt")
    assert doc.slice(doc.lines[0].span) == "一、部门基本情况"
    assert len(doc.tables) == 1
    assert doc.tables[0].grid() == [
        ["项目支出", "53.5", "52.53"],
        ["基本支出", "1059.01", "1059.01"],
    ]
    _assert_grounded(doc)


def test_form_feeds_separate_pages() -> None:
    doc = read_document("第一页\n\f第二页\n\f".encode(), "r.txt")
    assert [p.number for p in doc.pages] == [1, 2]  # the trailing form feed adds no page
    assert doc.page_at(doc.lines[1].span.start) == 2
    assert doc.text.split("\f")[1] == "第二页\n"


def test_page_limit() -> None:
    options = IngestOptions(limits=Limits(max_pages=2))
    with pytest.raises(TooManyPagesError):
        read_document("一\f二\f三".encode(), "r.txt", options)


def test_text_named_pdf_is_mislabelled() -> None:
    with pytest.raises(MislabelledFileError):
        read_document("部门整体支出绩效自评报告".encode(), "report.pdf")


@pytest.mark.parametrize(
    "data", [b"", b"   \n\t\r\n", "\u3000\u3000\n".encode(), " \n".encode("utf-16")]
)
def test_empty_and_whitespace_files(data: bytes) -> None:
    with pytest.raises(EmptyFileError):
        read_document(data, "empty.txt")


# --- recognition rules on small cases -------------------------------------------------------


def _tables(text: str) -> list[FlatTable]:
    return [b for b in split_flat_tables(text.split("\n")) if isinstance(b, FlatTable)]


def test_a_prose_line_with_a_tab_is_not_a_table() -> None:
    assert _tables("项目支出\t53.5万元。\n其余为基本支出。") == []
    blocks = split_flat_tables(["项目支出\t53.5万元。"])
    assert blocks == ["项目支出 53.5万元。"]


def test_tab_indented_paragraphs_are_not_a_table() -> None:
    text = "\t一、部门基本情况\n\n\t（一）部门职能\n\n\t（二）机构设置\n"
    assert _tables(text) == []
    doc = read_document(text.encode(), "r.txt")
    assert [doc.slice(ln.span) for ln in doc.lines] == [
        "一、部门基本情况",
        "(一)部门职能",
        "(二)机构设置",
    ]
    assert doc.tables == []


def test_cell_per_line_table_ends_at_long_prose() -> None:
    text = (
        "\t指标\n\t分值\n\n\t年度\n指标值\n\t5\n\n"
        "说明：本表由部门填报，数据以决算为准，未完成项目应说明原因。\n"
    )
    (table,) = _tables(text)
    assert table.rows == [["指标", "分值"], ["年度指标值", "5"]]
    assert table.last_line == 5


def test_wrapped_latin_words_keep_a_space() -> None:
    (table,) = _tables("\tVOCs\nremoval\n\t2\n\n\tCOD\n\t3")
    assert table.rows == [["VOCs removal", "2"], ["COD", "3"]]


def test_tsv_blocks_of_different_shape_stay_apart() -> None:
    text = "a\tb\nc\td\n\nx\ty\tz\tw\nq\tr\ts\tt\n"
    assert [t.n_cols for t in _tables(text)] == [2, 4]


def test_tsv_blocks_far_apart_stay_apart() -> None:
    text = "a\tb\tc\nd\te\tf\n\n\n\ng\th\ti\nj\tk\tl\n"
    assert len(_tables(text)) == 2
