"""Tables with their items as columns whose header and rows were glued by a text copy:
``项目合计因公出国（境）费公务接待费公务用车购置及运行维护费`` over ``预算数7.420.000.836.59``
(a 三公 table), or ``项目支出合计基本支出人员经费公用经费项目支出`` over
``决算数1236.48815.32648.20167.12421.16`` (a money table on its side).

Owns: cutting such a header line into its corner word and item words (every piece a
三公 item, a 合计, a part of the vehicle item, or a budget line the lexicon knows; the
cut that takes the whole line), and the rows under it into a label and as many figures as
there are items (amounts cut where a two-decimal part ends). Gives ``Table``s of the
line's own spans; tables.py reads them as it reads a grid with the items as columns. Must
not read figures into fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from service.document import Line, Table
from service.extract.flat_money import FIGURES_TAIL, Row, lines_table, split_figures
from service.extract.ground import Grounder
from service.extract.pattern_needs import Needs, needs

_MAX_WORD = 16  # the longest item word (公务用车购置及运行维护费 and a bracket or two)
_MAX_CORNER = 6
_PARTS = re.compile(r"^(?:其中[:：]?)?(?:公务用车|公车)?(?:购置|运行(?:维护)?|运维)(?:费|经费)?$")
_TOTALS = re.compile(r"^(?:合计|总计|小计|“?三公”?经费(?:合计)?)$")
_DIGIT = re.compile(r"\d")
_YEAR_WORD = re.compile(r"\d{4}年")


@dataclass
class GluedItems:
    """A glued table with its items as columns: its rows as a ``Table`` (the header
    first, its corner cell empty where the line has no corner word; the unit is the
    caption's, read as for any table) and the start of each line it took."""

    table: Table
    taken: set[int]


def _is_piece(word: str, is_item: Callable[[str], bool]) -> bool:
    return bool(is_item(word) or _TOTALS.match(word) or _PARTS.match(word))


@cache
def _piece_chars(item_needs: Needs) -> tuple[frozenset[str], tuple[frozenset[str], ...]] | None:
    """The characters of the strings a piece needs (an item word's, a total's, a vehicle
    part's), and each string's characters; None where a total or part needs none."""
    totals, parts = needs(_TOTALS), needs(_PARTS)
    if totals is None or parts is None:
        return None
    sets = tuple(dict.fromkeys(frozenset(s) for s in (*item_needs, *totals, *parts)))
    return frozenset().union(*sets), sets


def _last_piece_start(line: str, item_needs: Needs | None) -> int:
    """Where the last piece of a cut may start at the latest: no piece is a word lacking
    every needed string's characters (a word's key holds one of them, and a key is the
    word less some characters), so none ends the line starting after the last place from
    which the line holds all of one string's characters. -1: none anywhere."""
    gate = None if item_needs is None else _piece_chars(item_needs)
    if gate is None:
        return len(line) - 1
    chars, sets = gate
    present = chars.intersection(line)
    fits = [s for s in sets if s <= present]
    return max((min(line.rfind(c) for c in s) for s in fits), default=-1)


def header_cuts(
    line: str, is_item: Callable[[str], bool], item_needs: Needs | None = None
) -> list[list[tuple[int, int]]]:
    """The ways a glued header line cuts into a corner word and item words: for each
    corner (a word, shortest first; then none), the cut whose pieces after it are all item words and take
    the line to its end (two items or more, fewest pieces), those with a corner word
    first. 项目支出合计基本支出… cuts as 项目 | 支出合计 | 基本支出 … or as 项目支出合计 |
    基本支出 …: the rows under it tell which fits, the corner word wins a tie.
    ``item_needs``: strings of which every word ``is_item`` takes holds one's characters
    (most lines, prose, hold none near their end: no word is tried)."""
    if _DIGIT.search(_YEAR_WORD.sub("", line)):
        return []

    # rest[i]: the fewest pieces from i to the line's end (None: no such cut), from the end
    # back, so that a word is tried only before a cut that reaches the end (most lines have
    # none: a handful of words tried instead of every word of the line).
    n = len(line)
    rest: list[tuple[tuple[int, int], ...] | None] = [None] * n + [()]
    reach = [n]  # where rest is not None, descending: the only ends a word may have
    near = 0  # reach[near:] lie within a word's length of i
    for i in range(min(n - 1, _last_piece_start(line, item_needs)), -1, -1):
        while near < len(reach) and reach[near] > i + _MAX_WORD:
            near += 1
        if near == len(reach):
            break  # no cut reaches the end from within a word's length: none from further
        best = None
        for j in reach[near:]:
            more = rest[j]
            if more is None or not _is_piece(line[i:j], is_item):
                continue
            if best is None or len(more) + 1 < len(best):
                best = ((i, j), *more)
        rest[i] = best
        if best is not None:
            reach.append(i)

    out = []
    # a corner word first (项目支出合计… is 项目 | 支出合计 where the rows fit both), none last
    for corner in [*range(1, min(_MAX_CORNER, len(line)) + 1), 0]:
        items = rest[corner]
        if items is not None and len(items) >= 2 and sum(is_item(line[a:b]) for a, b in items) >= 2:
            out.append([(0, corner), *items])
    return out


_PART = re.compile(r"小计|(?:其中[:：]?)?(?:购置|运行(?:维护)?|运维)(?:费|经费)?")


def _parts(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """The spans of a glued line of the vehicle item's parts (小计购置费运行维护费), the
    second header line under a merged 公务用车 cell; [] for any other line."""
    out, pos = [], s
    while pos < e and (m := _PART.match(text, pos, e)) is not None and m.end() > pos:
        out.append((m.start(), m.end()))
        pos = m.end()
    return out if pos == e and len(out) >= 2 else []


def _spread(text: str, cells: list[tuple[int, int]], parts: list[tuple[int, int]]):  # noqa: ANN202
    """The header's item cells with the vehicle cell spread over its parts: 小计 stays
    the vehicle's column (named by the vehicle cell), the others follow it."""
    at = next((k for k, (a, b) in enumerate(cells) if "用车" in text[a:b]), len(cells) - 1)
    rest = [p for p in parts if text[p[0] : p[1]] != "小计"]
    keep = [cells[at]] if len(rest) < len(parts) else []
    return [*cells[:at], *keep, *rest, *cells[at + 1 :]]


def _row(text: str, s: int, e: int, n: int) -> Row | None:
    """(label span, figure spans) of a row whose ``n`` figures follow its label."""
    tail = FIGURES_TAIL.search(text, s, e)
    if tail is None or tail.start() == s:
        return None
    label = text[s : tail.start()].rstrip()
    if not label or len(label) > 12 or re.search(r"[，。；;:：]", label):
        return None
    figures = split_figures(tail.group(), tail.start())
    if figures is None or len(figures) != n:
        return None
    return (s, s + len(label)), figures


def glued_items_blocks(
    g: Grounder, lines: list[Line], is_item: Callable[[str], bool], item_needs: Needs | None = None
) -> list[GluedItems]:
    """The glued tables with their items as columns among ``lines`` (``item_needs``: as
    for ``header_cuts``)."""
    text = g.doc.text
    lines = [line for line in lines if not text[line.span.start : line.span.end].isspace()]
    spans = [g.trim(line.span.start, line.span.end) for line in lines]
    out: list[GluedItems] = []
    i = 0
    while i < len(spans):
        s, e = spans[i]
        rows: list[Row] = []
        j = i + 1
        for (ca, cb), *items in header_cuts(text[s:e], is_item, item_needs) if s < e else []:
            cells = [(s + a, s + b) for a, b in items]
            j = i + 1
            if j < len(spans) and (parts := _parts(text, *spans[j])):
                cells, j = _spread(text, cells, parts), j + 1  # 小计购置费运行维护费 below
            rows = [((s + ca, s + cb), cells)]
            while j < len(spans) and (row := _row(text, *spans[j], len(cells))) is not None:
                rows.append(row)
                j += 1
            if len(rows) >= 2:
                break
        if len(rows) >= 2:
            table = lines_table(text, len(out), lines[i].page, rows)
            taken = {lines[k].span.start for k in range(i, j)}
            out.append(GluedItems(table, taken))
        i = max(j, i + 1)
    return out
