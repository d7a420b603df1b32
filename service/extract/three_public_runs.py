"""三公 items given their figures respectively (分别): a run of changes right after items
joined by 、/和 (公务用车运行维护费、公务接待费分别下降5%和12%), and a run later in the
sentence, after the items' own figures or another run (公务接待费1.20万元、公务用车运行维护费
3.10万元，同比分别下降12.4%、8.6% / …分别较上年下降12.4%、8.6%，分别为1.20万元、3.10万元):
its figures go to the items before it in order — the last ones when the run is shorter (三公
经费7.2万元，其中A…、B…，分别下降…: A and B). Also one item's columns named first, then their
figures (公务接待费预算数、决算数、上年决算数分别为1.50万元、1.20万元、1.37万元).

Owns finding such runs and pairing their figures with the items; three_public.py grounds and
proposes them. Must not read anything but the sentence it is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from service.extract.clauses import Hit, LabelHit, quantity_at, words
from service.extract.lexicon import lexicon

_JOIN = re.compile(r"\s*(?:、|和|及|与|以及)\s*")
_CHANGES_RIGHT_AFTER = re.compile(
    r"\s*(?:均)?分别(?:比上年|较上年|同比|与上年相比)?\s*(下降|减少|降低|增长|增加|上升)(?:了)?\s*"
)
# Anywhere after the items: a comparison may come before 分别 (同比分别下降…), and the run
# may be of levels (分别为…).
_LATER_RUN = re.compile(
    r"(?:同比|比上年|较上年|与上年相比[，,]?)?\s*(?:均)?分别\s*(?:比上年|较上年|同比|与上年相比)?\s*"
    r"(?:(?P<dir>下降|减少|降低|增长|增加|上升)(?:了)?|(?:为|是|支出))\s*"
)
_DOWN = ("下降", "减少", "降低")
# Column words right after an item's label, then 分别为 (预算数、决算数、上年决算数分别为…).
_COLUMN_RUN = re.compile(
    r"\s*[:：]?\s*(?P<cols>(?:20\d\d\s*年度?|[^，,；;。:：\d]){2,60}?)"
    r"\s*分别(?:为|是)\s*[:：]?\s*"
)
_YEAR = re.compile(r"(20\d\d)\s*年度?")
_COLUMN_SEP = re.compile(r"\s*(?:、|和|及|与|以及)\s*")
_FIGURE_SEP = re.compile(r"\s*(?:、|和|及|与|,|，)\s*")


@dataclass(frozen=True)
class RunFigure:
    """One item's figure from a run: ``column`` is change, change_pct or level (the
    item's figure in the column its clause is about)."""

    index: int  # the item's place among the sentence's labels
    column: str
    found: Hit
    cue: str
    direction: str | None


def run_of_figures(src: str, pos: int, count: int) -> list[Hit]:
    """Up to ``count`` figures in a row from ``pos``, separated by 、，和."""
    out: list[Hit] = []
    while len(out) < count and pos < len(src) and src[pos].isdigit():
        found = quantity_at(src, pos)
        if found is None:
            break
        out.append(found)
        sep = _FIGURE_SEP.match(src, found.end)
        pos = sep.end() if sep else found.end
    return out


def _change(index: int, found: Hit, word: str) -> RunFigure | None:
    column = {"percent": "change_pct", "money": "change"}.get(found.kind)
    if column is None:
        return None
    direction = "下降" if word in _DOWN else "增长"
    return RunFigure(index, column, found, f"分别{word}", direction)


def changes_right_after(src: str, hits: list[LabelHit]) -> tuple[list[RunFigure], set[int]]:
    """“公务用车运行维护费、公务接待费分别下降5%和12%”: items joined by 、/和, then one
    direction and as many changes in the same order. Returns the figures and the items'
    indices (they state nothing else)."""
    out: list[RunFigure] = []
    done: set[int] = set()
    i = 0
    while i < len(hits):
        j = i
        while j + 1 < len(hits) and _JOIN.fullmatch(src, hits[j].end, hits[j + 1].start):
            j += 1
        m = _CHANGES_RIGHT_AFTER.match(src, hits[j].end) if j > i else None
        figures = run_of_figures(src, m.end(), j - i + 1) if m else []
        if m and len(figures) == j - i + 1:
            for k, found in zip(range(i, j + 1), figures, strict=True):
                if (figure := _change(k, found, m.group(1))) is not None:
                    out.append(figure)
            done.update(range(i, j + 1))
        i = j + 1
    return out, done


def later_runs(src: str, hits: list[LabelHit], end: int) -> tuple[list[RunFigure], int]:
    """Runs after a figure past the last item, up to ``end``: their figures, and where the
    first starts (the items' own stretches stop there)."""
    out: list[RunFigure] = []
    cut = end
    if len(hits) < 2:
        return out, cut
    for m in _LATER_RUN.finditer(src, hits[-1].end, end):
        if not re.search(r"\d", src[hits[-1].end : m.start()]):
            continue  # right after the items: respective() and changes_right_after read it
        figures = run_of_figures(src, m.end(), len(hits))
        if len(figures) < 2:
            continue
        cut = min(cut, m.start())
        first = len(hits) - len(figures)
        for k, found in enumerate(figures, start=first):
            if m.group("dir"):
                figure = _change(k, found, m.group("dir"))
            else:
                figure = (
                    RunFigure(k, "level", found, "分别", None) if found.kind == "money" else None
                )
            if figure is not None:
                out.append(figure)
    return out, cut


@cache
def _column_words() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(column, its words), tried in this order: last year's words first (上年决算数 is no
    final figure of this year), then budget words, then this year's final words."""
    lex = lexicon()
    previous = f"{lex.words_pattern('tp_previous')}|{words('previous_year').pattern}"
    current = f"{lex.words_pattern('tp_current')}|{words('final_basis').pattern}"
    return (
        ("previous", re.compile(previous)),
        ("budget", re.compile(f"{words('budget_basis').pattern}|预算")),
        ("actual", re.compile(current)),
    )


def _column_of(word: str, year: int | None) -> str | None:
    """The column a word names; a year before it says whose (2022年决算数: last year's)."""
    y = _YEAR.match(word)
    if y is not None:
        if year is None or int(y.group(1)) not in (year - 1, year):
            return None
        word = word[y.end() :]
        if int(y.group(1)) == year - 1:
            return "previous" if 0 < len(word) <= 10 else None
    if not word or len(word) > 10:
        return None
    return next((col for col, rx in _column_words() if rx.search(word)), None)


def columns_respectively(
    src: str, pos: int, end: int, year: int | None
) -> tuple[list[tuple[str, Hit]], int]:
    """One item's columns named right after its label, then as many figures (预算数、决算数、
    上年决算数分别为1.50万元、1.20万元、1.37万元): (column, figure) pairs and where the run
    ends; ``([], pos)`` when the label is not followed so."""
    m = _COLUMN_RUN.match(src, pos, end)
    parts = _COLUMN_SEP.split(m.group("cols")) if m else []
    columns = [_column_of(p, year) for p in parts]
    if m is None or len(parts) < 2 or None in columns or len(set(columns)) < len(columns):
        return [], pos
    figures = run_of_figures(src, m.end(), len(parts))
    if len(figures) != len(parts) or any(f.kind != "money" for f in figures):
        return [], pos
    return [(str(c), f) for c, f in zip(columns, figures, strict=True)], figures[-1].end
