"""What text a regular expression's match needs, read from the pattern itself.

Owns one question: given a compiled pattern, strings of which every match must hold at
least one (``收入`` for ``(?:本年|全年)?收入(?:合计)?``; ``总收入`` or ``收入合计`` for their
alternation), or None where the pattern names no such text (a class such as ``\\d``, a
pattern that can match the empty string, case-folding). Only text the match consumes
counts: a lookaround's words may stand outside a searched stretch. The readers use it as an
exact gate: a pattern none of whose strings stands in a stretch of text has no match there,
so it need not be run (a hundred label patterns per sentence cost more than the rest of
reading the sentence). Must not change what any pattern matches.
"""

from __future__ import annotations

import re
from re import _constants as C  # noqa: N812 - the parser's opcodes
from re import _parser

Needs = tuple[str, ...]  # a match holds at least one of these
_ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT)  # anchors and lookarounds consume nothing
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)
_MAX_SET = 16  # a character set larger than this is no useful gate


def needs(rx: re.Pattern[str]) -> Needs | None:
    """Strings of which every match of ``rx`` holds one; None when the pattern names none."""
    if rx.flags & re.IGNORECASE or not isinstance(rx.pattern, str):
        return None
    try:
        return _sequence(list(_parser.parse(rx.pattern, rx.flags)))
    except (re.error, TypeError, ValueError, AttributeError):
        return None


def _best(options: list[Needs]) -> Needs | None:
    """The most telling of several needs of one sequence: the longest shortest string,
    then the fewest strings."""
    if not options:
        return None
    return max(options, key=lambda n: (min(len(s) for s in n), -len(n)))


def _sequence(items: list) -> Needs | None:
    """Of a sequence: each run of literal characters (lookarounds between them do not
    part them) and each item that must match is a need; the best of them is returned."""
    options: list[Needs] = []
    run = ""
    for op, av in items:
        if op is C.LITERAL:
            run += chr(av)
            continue
        if op in _ZERO_WIDTH:
            continue
        if run:
            options.append((run,))
            run = ""
        need = _item(op, av)
        if need is not None:
            options.append(need)
    if run:
        options.append((run,))
    return _best(options)


def _item(op: object, av: object) -> Needs | None:  # noqa: PLR0911 - one case per opcode
    """The need of one item that must match (an optional item needs nothing)."""
    if op is C.IN:
        return _in(av)
    if op is C.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        return None if add_flags & re.IGNORECASE else _sequence(list(sub))
    if op is C.ATOMIC_GROUP:
        return _sequence(list(av))
    if op is C.BRANCH:
        out: list[str] = []
        for branch in av[1]:
            need = _sequence(list(branch))
            if need is None:
                return None  # a branch without a need: the alternation needs nothing
            out += need
        return tuple(dict.fromkeys(out))
    if op in _REPEATS:
        low, _high, sub = av
        return _sequence(list(sub)) if low >= 1 else None
    return None  # any character, a category, a back-reference, a condition


def _in(items: list) -> Needs | None:
    """A set of single characters (not negated, no category, small)."""
    out: list[str] = []
    for op, av in items:
        if op is C.LITERAL:
            out.append(chr(av))
        elif op is C.RANGE and av[1] - av[0] < _MAX_SET:
            out += [chr(c) for c in range(av[0], av[1] + 1)]
        else:
            return None
    return tuple(out) if 0 < len(out) <= _MAX_SET else None


class NeedsIndex:
    """Patterns indexed by the strings their matches need, to tell at once which of them
    can match in a stretch of text: the stretch's characters are taken once, and only the
    needed strings starting with one of them are looked for."""

    def __init__(self, patterns: list[re.Pattern[str]]) -> None:
        self._always: list[int] = []  # patterns that name no text of their own
        by_string: dict[str, list[int]] = {}
        for i, rx in enumerate(patterns):
            need = needs(rx)
            if need is None:
                self._always.append(i)
            for text in need or ():
                by_string.setdefault(text, []).append(i)
        # needed string → the patterns needing it, grouped by the string's first character
        self._by_first: dict[str, list[tuple[str, list[int]]]] = {}
        for text, indices in by_string.items():
            self._by_first.setdefault(text[0], []).append((text, indices))
        # Any needed string at all, as one search: most stretches hold none (a sentence
        # without a label), and then only the patterns that name no text can match.
        self._any = (
            re.compile("|".join(re.escape(t) for t in sorted(by_string, key=len, reverse=True)))
            if by_string and all(by_string)
            else None
        )
        self._none = sorted(set(self._always))

    def possible(self, src: str, start: int = 0, end: int | None = None) -> list[int]:
        """The indices, in order, of the patterns that can match in ``src[start:end]``."""
        stop = len(src) if end is None else end
        if (
            self._any is not None
            and min(start, stop) >= 0
            and not self._any.search(src, start, stop)
        ):
            return list(self._none)  # (a negative offset counts from the end: sliced below)
        part = src[start:end]
        chosen = set(self._always)
        by_first = self._by_first
        for ch in set(part).intersection(by_first):
            for text, indices in by_first[ch]:
                if text in part:
                    chosen.update(indices)
        return sorted(chosen)


_GROUP_NUMBERS = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")  # back-references, conditionals


def any_of(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One pattern that matches (``match``, ``fullmatch`` or ``search``) where any of
    ``patterns`` does — the engine backtracks into every alternative — as a gate before
    asking which one: a row label most often names nothing, and one search answers that
    instead of one per pattern. None where they cannot be joined without changing what
    they match (other flags, group numbers referred to, clashing group names)."""
    if not patterns or len({rx.flags for rx in patterns}) > 1:
        return None
    if any(_GROUP_NUMBERS.search(rx.pattern) for rx in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{rx.pattern})" for rx in patterns), patterns[0].flags)
    except re.error:  # inline flags or a group name used twice
        return None
