"""The linear benchmark's pieces: text of the asked size in either shape, and a small run
that reports every size with its ratio to the first."""

from __future__ import annotations

from eval.bench_linear import bench_text, text_of


def test_text_of_cuts_at_the_size_on_a_character_boundary() -> None:
    reports = [
        "一、部门概况\n本部门2024年收入合计100万元。\n".encode() * 3,
        "二、绩效\n完成。\n".encode(),
    ]
    data = text_of(100, reports, "lines")
    assert 95 <= len(data) <= 100  # a cut inside a 3-byte character drops that character
    data.decode("utf-8")  # whole characters only
    assert b"\n\n" in text_of(400, reports, "lines")  # reports apart
    one = text_of(400, reports, "one-line").decode("utf-8")
    assert "\n" not in one and one.startswith("一、部门概况 本部门")


def test_a_small_run_gives_a_row_per_size_against_the_first() -> None:
    rows = bench_text([2, 4], "lines", repeat=1)
    assert [r["kb"] for r in rows] == [2, 4]
    assert rows[0]["vs_first"] == 1.0
    assert all(r["chars"] > 0 and r["rules_s"] >= 0 for r in rows)
    assert rows[1]["chars"] > rows[0]["chars"]
