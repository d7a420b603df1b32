"""The memos of short texts are registered, so a benchmark can time a document as the first
one a process reads."""

from service.memo import clear_memos, memo
from service.records.numbers import _parse_short, parse_quantity


def test_a_memo_answers_once_and_forgets_when_cleared() -> None:
    calls: list[str] = []

    @memo(8)
    def length(text: str) -> int:
        calls.append(text)
        return len(text)

    assert length("预算数") == 3 and length("预算数") == 3
    assert calls == ["预算数"]
    clear_memos()
    assert length("预算数") == 3
    assert calls == ["预算数", "预算数"]


def test_the_readers_memos_are_among_those_cleared() -> None:
    parse_quantity("1,234.50万元")
    assert _parse_short.cache_info().currsize > 0
    clear_memos()
    assert _parse_short.cache_info().currsize == 0
    assert parse_quantity("1,234.50万元") == parse_quantity("1,234.50万元")
