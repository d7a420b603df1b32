"""The header line of a 自评表 flattened into text (its cells glued or parted by spaces):
which roles it names, in its order (``三级指标年度指标值实际完成值分值得分``), a header
written over two lines, and a scoring rubric's header with the columns no field takes
(指标解释, 评分标准). Words from the lexicon (``indicators[].*`` headers,
``indicator_ignored_headers``). Read by ``flat_indicators``; knows nothing of documents.
"""

from __future__ import annotations

import re

from service.extract.lexicon import lexicon
from service.extract.pattern_needs import NeedsIndex


def _unanchored(fragment: str) -> str:
    return fragment.removeprefix("^").removesuffix("$")


_HeaderPatterns = tuple[
    re.Pattern[str] | None,
    list[tuple[str, re.Pattern[str] | None, re.Pattern[str]]],
    NeedsIndex,
    NeedsIndex,
]
_POINTS = ("weight", "score")
_HEADER_PATTERNS: dict[int, tuple[object, _HeaderPatterns]] = {}


def _header_patterns(lex: object) -> _HeaderPatterns:
    """Per header word of an indicator field: (role, excludes, the word's pattern) compiled
    once per lexicon, in the lexicon's order; one pattern matching wherever any header word
    does (None if they cannot be joined); the words indexed by the text they need, and the
    points' words (分值, 得分) alone so indexed."""
    held = _HEADER_PATTERNS.get(id(lex))
    if held is not None and held[0] is lex:
        return held[1]
    roles = []
    for entry in lex.fields("indicators[]."):  # type: ignore[attr-defined]
        excl = re.compile(entry.excludes_pattern()) if entry.excludes else None
        frags = [re.compile(_unanchored(f)) for f in entry.headers]
        roles.append((entry.path.split("[].", 1)[1], excl, frags))
    try:
        joined = "|".join(f"(?:{rx.pattern})" for _, _, frags in roles for rx in frags)
        any_header = re.compile(joined) if joined else None
    except re.error:
        any_header = None
    words = [(role, excl, rx) for role, excl, frags in roles for rx in frags]
    points = NeedsIndex([rx for role, _, rx in words if role in _POINTS])
    held_now = (any_header, words, NeedsIndex([rx for _, _, rx in words]), points)
    _HEADER_PATTERNS[id(lex)] = (lex, held_now)
    return held_now


def header_columns(line: str) -> list[str]:
    """The roles a glued header line names, in its order ([] when it is no such line).
    Each entry's words are searched anywhere in the line; a match followed by one of its
    excludes (评分|标准, 指标|解释) or inside a longer match of another role is dropped."""
    found: list[tuple[int, int, str]] = []
    any_header, words, index, _ = _header_patterns(lexicon())
    if any_header is not None and any_header.search(line) is None:
        return []  # no header word anywhere (most lines): nothing below could match
    for k in index.possible(line):  # only the words whose text stands in the line
        role, excl, rx = words[k]
        for m in rx.finditer(line):
            if m.end() == m.start():
                continue
            if excl and (excl.search(m.group()) or _excluded_after(excl, line, m.end())):
                continue
            found.append((m.start(), m.end(), role))
    inside = _inside_longer(found)
    kept = [f for f in found if (f[0], f[1]) not in inside]
    ordered = sorted(kept)
    names = [i for i, (_, _, role) in enumerate(ordered) if role == "level3"]
    if len(names) >= 2 and "三级" in line[ordered[names[1]][0] : ordered[names[1]][1]]:
        # 指标 | 三级指标: the plain 指标 before is the level above (table_headers.py alike)
        taken = {role for _, _, role in ordered}
        above = next((lv for lv in ("level1", "level2") if lv not in taken), None)
        a, b, _ = ordered[names[0]]
        ordered[names[0]] = (a, b, above or "level3")
    roles: list[str] = []
    for _, _, role in ordered:
        if role not in roles:
            roles.append(role)
    return roles


def _inside_longer(found: list[tuple[int, int, str]]) -> set[tuple[int, int]]:
    """The (start, end) of the matches that lie inside a longer match: in order of start
    (the longer first at one start), a span inside one before it ends by that one's end.
    One pass; comparing every pair was quadratic on a long line full of header words."""
    inside: set[tuple[int, int]] = set()
    reach = -1  # the furthest end of the spans before (all start at or before this one)
    for a, b in sorted({(a, b) for a, b, _ in found}, key=lambda s: (s[0], -s[1])):
        if reach >= b:
            inside.add((a, b))
        reach = max(reach, b)
    return inside


def two_row_header(upper: list[str], lower: list[str]) -> list[str]:
    """The roles of a header written over two lines: the lower line's names take the place
    of the merged upper one they stand under (指标值 over 年度目标|实际完成: target →
    target, actual; 绩效指标 over 一级|二级|三级指标: level3 → level1, level2, level3)."""
    values = [r for r in lower if r in ("target", "actual")]
    levels = [r for r in lower if r in ("level1", "level2", "level3")]
    out = list(upper)
    for group, merged in ((values, ("target", "actual")), (levels, ("level3",))):
        if len(group) < 2:
            continue
        at = next((i for i, r in enumerate(out) if r in merged), None)
        if at is None:
            continue
        kept = [r for r in out if r not in group]
        at = min(at, len(kept))
        out = kept[:at] + group + kept[at:]
    return out


def _starts_header(line: str, pos: int) -> bool:
    return any(
        re.match(_unanchored(f), line[pos:])
        for e in lexicon().fields("indicators[].")
        for f in e.headers
    )


def _excluded_after(excl: re.Pattern[str], line: str, pos: int) -> bool:
    """An exclude word right after the match (评分|标准) makes it another column, unless a
    new column's header starts there (年度指标值|实际完成值 glued)."""
    return bool(excl.match(line, pos)) and not _starts_header(line, pos)


def may_name_points(line: str) -> bool:
    """Whether a header word of the points (分值, 得分) can stand in ``line``: both a 自评表
    header and a rubric's name one, so a line without is neither (one look at the words
    the patterns need instead of reading the line's header words)."""
    points = _header_patterns(lexicon())[3]  # (a word's need does not hang on the others)
    return bool(points.possible(line))


def rubric_columns(line: str) -> list[str]:
    """The columns of a glued scoring-rubric header line in order, ``other`` for one no
    field takes (指标解释, 评分标准: the lexicon's ``indicator_ignored_headers``); [] when
    the line is none: it must name an indicator and points, and no target or actual."""
    if len(line) > 60 or re.search(r"[，。；、,;]", line):
        return []  # a sentence: its header words are not read
    roles = header_columns(line)
    if (
        "level3" not in roles
        or not {"weight", "score"} & set(roles)
        or {"target", "actual"} & set(roles)
        or len(line) > 60
        or re.search(r"[，。；、,;]", line)
    ):
        return []
    ignored = lexicon().words_pattern("indicator_ignored_headers")
    out = list(roles)
    for k, m in enumerate(re.finditer(ignored, line)):
        out.insert(len(header_columns(line[: m.start()])) + k, "other")
    return out


def is_header(roles: list[str]) -> bool:
    """Whether a line's roles head a 自评表: points, a target or an actual, four at least."""
    has_points = "weight" in roles or "score" in roles
    has_values = "target" in roles or "actual" in roles
    return has_points and has_values and len(roles) >= 4
