"""Text length and line length are capped right after reading, before any extraction runs:
a one-line file or a document whose text is over the limit is refused with the typed
``text_too_long`` (issue: a 28 MB one-line text held a worker for minutes)."""

from __future__ import annotations

import pytest

from service.config import Limits
from service.errors import TextTooLongError
from service.ingest import IngestOptions, read_document


def _options(**limits: int) -> IngestOptions:
    return IngestOptions(limits=Limits(**limits))


def test_a_line_over_the_limit_is_refused() -> None:
    data = ("本年支出合计100万元，" * 200).encode()  # one line of 2,400 characters
    with pytest.raises(TextTooLongError) as err:
        read_document(data, "one-line.txt", _options(max_line_chars=1000))
    assert err.value.code == "text_too_long"
    assert err.value.context["size"] == 2400 and err.value.context["limit"] == 1000


def test_text_over_the_limit_is_refused_whatever_its_lines() -> None:
    data = ("本年支出合计100万元。\n" * 300).encode()
    with pytest.raises(TextTooLongError):
        read_document(data, "long.txt", _options(max_text_chars=2000))


def test_the_same_text_within_the_limits_reads() -> None:
    data = ("本年支出合计100万元。\n" * 300).encode()
    doc = read_document(data, "long.txt", _options(max_text_chars=10_000, max_line_chars=100))
    assert doc.text.count("本年支出合计") == 300


def test_the_defaults_leave_a_long_report_alone() -> None:
    limits = Limits()
    assert limits.max_text_chars >= 5_000_000 and limits.max_line_chars >= 500_000
