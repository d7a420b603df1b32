"""Ruled grids without ``Page.find_tables``' character re-read and header detection: the
cells must be the library finder's, on the installed PyMuPDF, page by page."""

from __future__ import annotations

import random
from itertools import pairwise

import pymupdf
import pymupdf.table as finder
import pytest

from service.ingest import pdf_grid, pdf_tables, read_document
from tests.ingest.pdfgen import (
    SELF_EVAL_COLS,
    draw_table,
    new_page,
    self_eval_cells,
    to_bytes,
    write_lines,
)


def _pdf() -> bytes:
    doc = pymupdf.open()
    # 1: prose, the 13x7 indicator table with merged cells, prose below
    page = new_page(doc)
    write_lines(page, ["一、部门基本情况", "本单位2023年度部门整体支出1059.01万元。"], y=60)
    draw_table(page, 60, 110, SELF_EVAL_COLS, [22] * 13, self_eval_cells())
    write_lines(page, ["以上指标均已完成。"], y=430)
    # 2: two tables one above the other, an empty ruled box, a lone rule under a heading
    page = new_page(doc)
    draw_table(page, 72, 72, [120, 80, 80], [20] * 3,
               [(0, 0, 1, 1, "项目"), (0, 1, 1, 1, "预算数"), (0, 2, 1, 1, "决算数"),
                (1, 0, 1, 1, "基本支出"), (1, 1, 1, 1, "847.72"), (1, 2, 1, 1, "840.00"),
                (2, 0, 1, 1, "项目支出"), (2, 1, 1, 1, "53.50"), (2, 2, 1, 1, "50.10")])  # fmt: skip
    draw_table(page, 72, 200, [100, 100], [24, 24],
               [(0, 0, 1, 2, "三公经费合计"), (1, 0, 1, 1, "公务接待费"), (1, 1, 1, 1, "0.11")])  # fmt: skip
    page.draw_rect(pymupdf.Rect(300, 400, 500, 480), color=(0, 0, 0), width=0.6)
    page.draw_line((72, 520), (520, 520), color=(0, 0, 0), width=0.5)
    write_lines(page, ["二、存在的问题"], y=510)
    # 3: a grid drawn as separate lines (not rectangles), text in every cell
    page = new_page(doc)
    xs, ys = [80, 200, 320, 440], [100, 125, 150, 175]
    for x in xs:
        page.draw_line((x, ys[0]), (x, ys[-1]), color=(0, 0, 0), width=0.5)
    for y in ys:
        page.draw_line((xs[0], y), (xs[-1], y), color=(0, 0, 0), width=0.5)
    for r in range(3):
        for c in range(3):
            page.insert_text((xs[c] + 4, ys[r] + 17), f"格{r}{c}", fontname="china-s", fontsize=9)
    # 4: a page whose media box does not start at the origin (the transformation matrix
    # the finder's text probes go through is not a plain flip)
    page = new_page(doc)
    draw_table(page, 90, 300, [150, 150], [30, 30],
               [(0, 0, 1, 1, "在职人数"), (0, 1, 1, 1, "42"), (1, 0, 1, 1, "退休人数"),
                (1, 1, 1, 1, "17")])  # fmt: skip
    page.set_mediabox(pymupdf.Rect(20, 30, 595, 842))
    return to_bytes(doc)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return _pdf()


def _cells(groups: list[list]) -> list[list[tuple | None]]:
    return [[tuple(c) if c is not None else None for c in cells] for cells in groups]


def _both(page: pymupdf.Page) -> tuple[list, list]:
    area = pdf_tables.rules_area(page.get_drawings())
    assert area is not None
    clip = area + (-2, -2, 2, 2)
    ours = pdf_tables.ruled_cells(page, clip, page.get_drawings())
    library = pdf_tables.library_cells(page, clip, page.get_drawings())
    return _cells(ours), _cells(library)


def test_cells_are_the_library_finders(pdf: bytes) -> None:
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    counts = []
    for page in doc:
        ours, library = _both(page)
        assert ours == library
        counts.append([len(cells) for cells in ours])
    # what the pages hold, so that two empty answers cannot pass: 13x7 less what merges
    # cover (一级 groups 7 slots, 二级 4, the total row 1 + 4); 3x3 and a 2-cell header over
    # 2 cells (the empty box and the lone rule are no tables); a grid of lines; the moved
    # media box
    assert counts == [[13 * 7 - 7 - 4 - 1 - 4], [9, 3], [9], [4]]


def test_probe_chars_are_the_finders_characters(pdf: bytes) -> None:
    """The fields the finder's probes read, value for value, from its own ``make_chars``
    (the transformed y of every character, though a probe computes only those it needs)."""
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    for page in doc:
        clip = page.rect
        small = pymupdf.TOOLS.set_small_glyph_heights()
        pymupdf.TOOLS.set_small_glyph_heights(True)
        try:
            finder._CHARS_VAR.set([])
            finder.make_chars(page, clip=clip)
            theirs = list(finder.CHARS)
            probe = pdf_tables._probe_chars(page, clip)
            ours = [
                dict(zip(("text", "x0", "top", "x1", "bottom"), ch, strict=True))
                | dict(zip(("y0", "y1"), probe._flipped(i), strict=True))
                for i, ch in enumerate(probe.chars)
            ]
        finally:
            pymupdf.TOOLS.set_small_glyph_heights(small)
            finder._CHARS_VAR.set([])
        fields = ("text", "x0", "x1", "top", "bottom", "y0", "y1")
        key = lambda c: (c["top"], c["x0"], c["text"])  # noqa: E731 - the finder sorts by x
        assert len(ours) == len(theirs) > 0
        assert sorted(({f: c[f] for f in fields} for c in theirs), key=key) == sorted(ours, key=key)


def test_documents_read_the_same_either_way(pdf: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    ours = read_document(pdf, "grid.pdf")
    monkeypatch.setattr(pdf_tables, "USE_LIBRARY_FINDER", True)
    library = read_document(pdf, "grid.pdf")
    assert ours.model_dump_json() == library.model_dump_json()
    first = ours.tables[0]
    assert (first.n_rows, first.n_cols) == (13, 7)
    assert {c.text for c in first.cells if c.row == 12} == {"总分", "94.5"}


def test_finder_leaves_no_state_behind(pdf: bytes) -> None:
    """The text-extraction switch the probes flip is restored, and nothing is left in the
    library finder's per-call lists (nothing of one page leaks into the next call)."""
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    finder._CHARS_VAR.set([])  # what an earlier library-finder call may have left
    finder._EDGES_VAR.set([])
    before = pymupdf.TOOLS.set_small_glyph_heights()
    pdf_tables.find_tables(doc[0], 1)
    assert pymupdf.TOOLS.set_small_glyph_heights() == before
    assert list(finder.CHARS) == [] and list(finder.EDGES) == []


def test_a_failing_finder_finds_no_table_as_find_tables(
    pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """find_tables swallows its own exceptions (and returns None): the page is read as
    text, the document is not refused."""

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("a finder bug")

    monkeypatch.setattr(pdf_grid, "intersections_to_cells", broken)
    doc = read_document(pdf, "grid.pdf")  # not refused as a page that cannot be read
    assert len(doc.pages) == 4 and "94.5" in doc.text
    assert (13, 7) not in {(t.n_rows, t.n_cols) for t in doc.tables}  # no ruled grid found
    assert pymupdf.TOOLS.set_small_glyph_heights() is False


def _awkward_page(doc: pymupdf.Document, rng: random.Random) -> None:
    """A page of rulings the finder's tolerances have to settle: grid lines off by up to
    3.5 pt (snapped and joined, or not), slightly slanted lines, thin rectangles drawn as
    lines, quads, open and closed polylines, stray lines and curves, text in some cells
    (some only a space), and sometimes a media box that does not start at the origin."""
    page = doc.new_page(width=595, height=842)
    shape = page.new_shape()
    for _ in range(rng.randint(1, 3)):
        _awkward_grid(shape, rng)
    for _ in range(rng.randint(0, 3)):
        a = (rng.uniform(0, 595), rng.uniform(0, 842))
        shape.draw_line(a, (a[0] + rng.uniform(-100, 100), a[1] + rng.uniform(-3, 3)))
        shape.draw_curve(a, (a[0] + 10, a[1] + 10), (a[0] + 40, a[1]))
        shape.finish(color=(0, 0, 0), width=0.5)
    shape.commit()
    if rng.random() < 0.2:
        page.set_mediabox(pymupdf.Rect(rng.uniform(0, 30), rng.uniform(0, 30), 595, 842))


def _awkward_grid(shape: pymupdf.Shape, rng: random.Random) -> None:
    xs, ys = [rng.uniform(20, 300)], [rng.uniform(20, 600)]
    for _ in range(rng.randint(1, 6)):
        xs.append(xs[-1] + rng.choice([rng.uniform(2, 8), rng.uniform(20, 90)]))
    for _ in range(rng.randint(1, 8)):
        ys.append(ys[-1] + rng.choice([rng.uniform(2, 6), rng.uniform(12, 30)]))

    def jit() -> float:
        return rng.choice([0, 0, 0, rng.uniform(-3.5, 3.5), rng.uniform(-0.5, 0.5)])

    mode = rng.choice(["rects", "lines", "quads", "poly"])
    cells = [(x0, y0, x1, y1) for x0, x1 in pairwise(xs) for y0, y1 in pairwise(ys)]
    for x0, y0, x1, y1 in cells:
        if rng.random() < 0.1:
            continue
        box = pymupdf.Rect(x0 + jit(), y0 + jit(), x1 + jit(), y1 + jit())
        if mode == "rects":
            shape.draw_rect(box)
        elif mode == "quads":
            shape.draw_quad(box.quad)
        elif mode == "poly":
            shape.draw_polyline([(x0 + jit(), y0), (x1, y0 + jit()), (x1 + jit(), y1)])
            shape.finish(color=(0, 0, 0), width=0.5, closePath=rng.random() < 0.7)
        else:
            shape.draw_line((x0 + jit(), y0 + jit()), (x1 + jit(), y0 + jit()))
            shape.draw_line((x0 + jit(), y0 + jit()), (x0 + jit(), y1 + jit()))
        if x1 - x0 > 10 and y1 - y0 > 10 and rng.random() < 0.5:
            text = rng.choice(["项目", "12.5", " ", "合计"])
            shape.insert_text((x0 + 2, y1 - 2), text, fontname="china-s", fontsize=8)
    shape.finish(color=(0, 0, 0), width=0.5)


def test_cells_are_the_library_finders_on_awkward_rulings() -> None:
    doc = pymupdf.open()
    for seed in range(40):
        _awkward_page(doc, random.Random(seed))
    doc = pymupdf.open(stream=doc.tobytes(), filetype="pdf")
    tables = 0
    for page in doc:
        if pdf_tables.rules_area(page.get_drawings()) is not None:
            ours, library = _both(page)
            assert ours == library, page.number
            tables += len(ours)
    assert tables >= 20  # enough of them are tables at all


def test_single_precision_steps_are_pymupdfs() -> None:
    """Where the finder goes through MuPDF's float rectangles (growing a group of drawings
    by points, the union of a table's cells), the tuples round the same way."""
    rng = random.Random(7)
    for _ in range(2000):
        values = [rng.choice([rng.uniform(-50, 900), rng.uniform(0, 1e-7)]) for _ in range(8)]
        rect, other = pymupdf.Rect(values[:4]), pymupdf.Rect(values[4:])
        assert pdf_grid._include_points(tuple(rect), tuple(other)) == tuple(
            rect | other.tl | other.br
        )
        cells = []
        for _ in range(rng.randint(2, 5)):
            x0, y0 = rng.uniform(0, 800), rng.uniform(0, 800)
            width = rng.choice([rng.uniform(1e-9, 1e-4), rng.uniform(1, 50)])
            cells.append((x0, y0, x0 + width, y0 + rng.uniform(1e-9, 50)))
        union = pymupdf.EMPTY_RECT()
        for cell in cells:
            union |= cell
        assert pdf_grid._union(cells) == tuple(union)


def _fake_bold_pdf() -> bytes:
    """Ruled rows whose text is printed twice (in place, a little moved, filled and then
    stroked), as generators fake bold type; the last page prints everything once."""
    doc = pymupdf.open()
    for repeats in ([(0, 0)], [(0.3, 0)], [(0.05, 0.05)], "filled and stroked", []):
        page = new_page(doc)
        for row in range(4):
            y = 100 + row * 30
            page.draw_rect(pymupdf.Rect(60, y - 18, 300, y + 8), color=(0, 0, 0), width=0.5)
            page.draw_line((180, y - 18), (180, y + 8), color=(0, 0, 0), width=0.5)
            for x, text in ((64, "项目 支出"), (184, "100.00")):
                mode = 2 if isinstance(repeats, str) else 0  # one text object, two passes
                page.insert_text((x, y), text, fontname="china-s", fontsize=10, render_mode=mode)
                for dx, dy in repeats if mode == 0 else ():
                    page.insert_text((x + dx, y + dy), text, fontname="china-s", fontsize=10)
    return to_bytes(doc)


def test_text_printed_twice_reads_as_the_finder_reads_it() -> None:
    """The probes read the text page without MuPDF's style collection unless two equal
    characters stand within fake-bold distance: the cells stay the library's either way."""
    doc = pymupdf.open(stream=_fake_bold_pdf(), filetype="pdf")
    flagged = []
    for page in doc:
        ours, library = _both(page)
        assert ours == library and len(ours) == 4  # four separate rows
        clip = pdf_tables.rules_area(page.get_drawings()) + (-2, -2, 2, 2)
        small = pymupdf.TOOLS.set_small_glyph_heights()
        pymupdf.TOOLS.set_small_glyph_heights(True)
        try:
            _, marks = pdf_tables._read_probe(page, clip, pdf_tables._PROBE_FLAGS)
        finally:
            pymupdf.TOOLS.set_small_glyph_heights(small)
        flagged.append(pdf_tables._repeats(marks))
    # printed twice in place or moved a little: read again with styles; filled and stroked
    # (the same text object twice) and printed once: the cheap reading stands
    assert flagged == [True, True, True, False, False]
