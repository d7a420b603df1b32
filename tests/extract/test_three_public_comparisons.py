"""三公 year-on-year comparisons in more wordings: the compared figure in brackets with 相比
after it, a basis word after the comparison (较上年决算…), and last year named by its number
(2022年为…) in a report on 2023. Every text is invented."""

from __future__ import annotations

import pytest

from service.extract.rules import extract_rules
from service.ingest import read_document


def _total(sentence: str) -> tuple:
    text = f"某某县文化馆2023年度部门整体支出绩效自评报告\n三、“三公”经费\n{sentence}\n"
    t = extract_rules(read_document(text.encode("utf-8"), "report.txt")).export.three_public.total

    def signed(v):  # noqa: ANN001, ANN202
        return None if v is None else (-v.value if v.direction == "下降" else v.value)

    return signed(t.actual), signed(t.previous), signed(t.change), signed(t.change_pct)


@pytest.mark.parametrize(
    ("sentence", "want"),
    [
        ("“三公”经费共6.30万元，与上年（7.10万元）相比减少0.80万元。", (6.3, 7.1, -0.8, None)),
        ("“三公”经费决算6.30万元，较上年决算7.10万元下降11.27%。", (6.3, 7.1, None, -11.27)),
        ("“三公”经费支出6.30万元，2022年为7.10万元。", (6.3, 7.1, None, None)),
        ("“三公”经费支出6.30万元，相较上年7.10万元增加了0.80万元。", (6.3, 7.1, 0.8, None)),
    ],
)
def test_comparisons_in_more_wordings(sentence: str, want: tuple) -> None:
    assert _total(sentence) == pytest.approx(want)


def test_a_year_that_is_not_last_year_is_no_previous_figure() -> None:
    assert _total("“三公”经费支出6.30万元，2021年为7.10万元。")[1] is None
