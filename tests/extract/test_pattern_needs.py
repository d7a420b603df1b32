"""The strings a pattern's match needs (pattern_needs.py) and the label search gated by
them (clauses.LabelPatterns): a pattern is left out of a sentence only where it cannot
match there, so labels are found exactly as by running every pattern; and patterns joined
into one (any_of) match exactly where one of them does."""

from __future__ import annotations

import re

import pytest

from service.extract import money_rows, staffing, three_public, three_public_table
from service.extract.clauses import LabelHit, LabelPatterns, find_labels
from service.extract.pattern_needs import any_of, needs
from service.extract.prose import _account_labels
from service.extract.text import sentences
from service.synth import make_report, render


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("(?:本年|全年)?收入(?:合计)?", ("收入",)),
        ("总收入|收入合计", ("总收入", "收入合计")),
        ("(?<=年度)收入(?!预算)", ("收入",)),  # lookarounds' words are not the match's
        (r"\d+(?:\.\d+)?万元", ("万元",)),
        ("公用(?=经费)经费", ("公用经费",)),  # a lookahead does not part a literal run
        ("[出入]境", ("境",)),
        ("(?:在职|在编)+人员", ("人员",)),
        ("收入|支出(?:合计)?", ("收入", "支出")),
    ],
)
def test_needs_of_a_pattern(pattern: str, expected: tuple[str, ...]) -> None:
    assert needs(re.compile(pattern)) == expected


@pytest.mark.parametrize(
    "pattern",
    [
        r"\d+",  # a category names no text
        "(?:收入)?",  # may match nothing
        "收入|\\d+",  # one branch names no text
        "(?<=收入)\\d",  # a lookbehind's words may stand before the searched stretch
        "[^，。]+",
        "(?i)income",  # case-folded
        "收入*",  # 收 is needed, 入 not: the literal run stops at the repeat
    ],
)
def test_needs_nothing_or_only_what_is_consumed(pattern: str) -> None:
    found = needs(re.compile(pattern))
    if pattern == "收入*":
        assert found == ("收",)
    else:
        assert found is None


def _every_pattern(src: str, start: int, end: int, labels: LabelPatterns) -> list[LabelHit]:
    """find_labels as it was before the gate: every pattern searched."""
    hits = [
        LabelHit(key, m.start(), m.end())
        for key, rx in labels
        for m in rx.finditer(src, start, end)
        if m.end() > m.start()
    ]
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    out: list[LabelHit] = []
    for h in hits:
        if not out or h.start >= out[-1].end:
            out.append(h)
    return out


def test_gated_search_finds_what_every_pattern_finds() -> None:
    label_sets = [
        *(_account_labels(p)[0] for p in ((), ("personnel_proxy", "public_proxy"))),
        staffing._labels(),
        three_public._labels_in_context(),
    ]
    found = 0
    for seed, template in ((0, "hunan"), (1, "sichuan"), (2, "prose_only"), (3, "prose_only")):
        text = render(make_report(seed, template).spec, "txt")[0].decode()
        for sent in sentences(text, 0, len(text)):
            for labels in label_sets:
                expected = _every_pattern(text, sent.start, sent.end, labels)
                assert find_labels(text, sent.start, sent.end, labels) == expected
                found += len(expected)
    assert found > 200  # the reports do name their figures' labels


def test_a_sentence_without_label_words_runs_no_pattern() -> None:
    labels = _account_labels(())[0]
    text = "本单位认真落实各项工作部署。"
    assert labels.candidates(text, 0, len(text)) == []
    text = "收入合计520万元。"
    keys = {key for key, _ in labels.candidates(text, 0, len(text))}
    assert "budget.total_income" in keys
    assert find_labels(text, 0, len(text), labels)[0] == LabelHit("budget.total_income", 0, 4)


def test_any_of_matches_where_one_of_its_patterns_does() -> None:
    sets = [
        [rx for _, rx in money_rows._lexicon_rows()],
        [rx for rx, _, _ in money_rows._line_fields()],
        [rx for _, rx in three_public_table._specific_first()],
    ]
    words = ["支出合计", "基本支出", "公务接待费", "公车运维费", "因公出国(境)费", "本年收入"]
    for seed, template in ((0, "hunan"), (2, "prose_only")):
        text = render(make_report(seed, template).spec, "txt")[0].decode()
        words += [w for line in text.splitlines() for w in (line, line[:4], line[-6:])]
    hits = 0
    for patterns in sets:
        joined = any_of(patterns)
        assert joined is not None
        for word in words:
            full = any(rx.fullmatch(word) for rx in patterns)
            assert (joined.fullmatch(word) is not None) == full
            assert (joined.match(word) is not None) == any(rx.match(word) for rx in patterns)
            hits += full
    assert hits >= 6  # the listed labels at least


def test_any_of_refuses_what_it_cannot_join() -> None:
    assert any_of([re.compile(r"(收入)\1"), re.compile("支出")]) is None  # group numbers
    assert any_of([re.compile("收入", re.IGNORECASE), re.compile("支出")]) is None
    assert any_of([re.compile("(?P<a>收入)"), re.compile("(?P<a>支出)")]) is None
    assert any_of([]) is None
