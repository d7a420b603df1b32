"""The speed benchmark's own pieces: joined documents of the asked length, in order, and the
reference reader counting every page."""

from __future__ import annotations

import pymupdf

from eval.bench_speed import floor_characters, joined_pdf, reference_a


def _pdf(label: str, pages: int) -> bytes:
    doc = pymupdf.open()
    for i in range(pages):
        page = doc.new_page()
        page.insert_text((72, 72), f"{label}{i}", fontsize=11)
        if i == 0:  # a ruled 2x2 grid with text, so the reference runs its table finder
            for x in (72, 172, 272):
                page.draw_line((x, 100), (x, 160), width=0.5)
            for y in (100, 130, 160):
                page.draw_line((72, y), (272, y), width=0.5)
            page.insert_text((80, 120), "cell", fontsize=9)
    data = doc.tobytes()
    doc.close()
    return data


def test_joined_pdf_cycles_its_sources_and_cuts_at_the_size() -> None:
    data = joined_pdf(7, [_pdf("A", 3), _pdf("B", 2)])
    doc = pymupdf.open(stream=data, filetype="pdf")
    assert [page.get_text().split()[0] for page in doc] == [
        "A0",
        "A1",
        "A2",
        "B0",
        "B1",
        "A0",
        "A1",
    ]


def test_reference_reads_every_page() -> None:
    assert reference_a(_pdf("A", 4)) == 4


def test_floor_reads_every_page() -> None:
    assert floor_characters(_pdf("A", 5)) == 5


def test_mixed_takes_the_kinds_in_turn() -> None:
    from eval.bench_speed import mixed

    pdfs = {"tables": [("t0", b"T0"), ("t1", b"T1"), ("t2", b"T2")], "prose": [("p0", b"P0")]}
    assert mixed(pdfs) == [b"T0", b"P0", b"T1", b"T2"]
