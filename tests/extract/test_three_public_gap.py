"""The 三公 reader's gap test: text between a cue and a figure that changes nothing."""

from __future__ import annotations

import pytest

from service.extract.three_public import _clean_gap


@pytest.mark.parametrize(
    "gap",
    ["", "为", "  合计  ", "实际支出为", "（含上年结转）", "，即", "共计", "分别为", "本年度决算数"],
)
def test_filler_words_brackets_and_spaces_are_a_clean_gap(gap: str) -> None:
    text = f"公务接待费{gap}1.20万元"
    assert _clean_gap(text, len("公务接待费"), len("公务接待费") + len(gap))


@pytest.mark.parametrize("gap", ["投诉率", "，其中会议费", "下降的比例"])
def test_words_naming_something_else_are_not(gap: str) -> None:
    text = f"公务接待费{gap}2%"
    assert not _clean_gap(text, len("公务接待费"), len("公务接待费") + len(gap))


def test_a_long_run_of_spaces_before_a_foreign_word_is_decided() -> None:
    """A spaced table's row: hundreds of spaces then a word that is no filler. One regex
    ``(?:filler|chars)*`` tried every split of the spaces (exponential); the gap test
    visits each position once."""
    gap = " " * 400 + "会议费" + " " * 400
    text = "公务接待费" + gap + "3.10"
    assert not _clean_gap(text, 5, 5 + len(gap))
    assert _clean_gap("公务接待费" + " " * 400 + "3.10", 5, 405)
