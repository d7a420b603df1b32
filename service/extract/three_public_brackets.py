"""三公 figures with brackets: a whole's parts in brackets after it, and a figure restated in
brackets inside a run stated respectively.

- Parts (其中/含/包括 or none): “公务用车购置及运行维护费8.40万元（其中购置费为零，运行维护费
  8.40万元），比上年减少0.60万元” / “三公经费12.30万元（因公出国（境）费0万元、公务接待费…），
  较上年下降…”. The parts' stretches end at the closing bracket, and the whole's stretch
  goes on past it: the change after the bracket is the whole's, not the last part's.
- Restatements: “…分别为1.20万元（上年1.35万元）、3.10万元…”: each figure of the run may
  carry a bracket about the same item (last year's figure, its change).

Owns finding such brackets and where each item's stretch ends; three_public.py reads the
stretches. A bracket without a part inside (（含上年结转）, （占比35%）) is nobody's parts.
Must not read anything but the sentence it is given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from service.extract.clauses import Hit, LabelHit, quantity_at
from service.extract.text import Block

_OPEN, _CLOSE = "(（", ")）"
# The parts each whole may hold: the total all the items, the vehicle its two parts.
_PARTS = {
    "total": frozenset(
        ("overseas", "reception", "vehicle", "vehicle_purchase", "vehicle_operation")
    ),
    "vehicle": frozenset(("vehicle_purchase", "vehicle_operation")),
}
_RESPECTIVELY = re.compile(r"\s*(?:均)?分别\s*(?:为|是|支出)?\s*[:：]?\s*")
_JOIN = re.compile(r"\s*(?:、|和|及|与|以及)\s*")
_FIGURE_SEP = re.compile(r"\s*(?:、|和|及|与|,|，)\s*")
_SPACES = re.compile(r"\s*")
_BRACKET = re.compile(r"[(（)）]")


@dataclass(frozen=True)
class Bracket:
    """A bracketed stretch [start, end): ``start`` at the opening bracket, ``end`` past the
    closing one."""

    start: int
    end: int

    def holds(self, pos: int) -> bool:
        return self.start < pos < self.end - 1


@dataclass(frozen=True)
class PartsBracket(Bracket):
    owner: int  # the whole's place among the sentence's labels


def unbroken(src: str, sents: Iterable[Block]) -> Iterator[Block]:
    """Sentences joined again where a ； cut one inside a bracket (（其中购置费2万元；运行
    维护费6.4万元），比上年…): the bracket's parts and what follows it are one sentence."""
    held: Block | None = None
    for sent in sents:
        held = Block(held.start, sent.end) if held else sent
        text = src[held.start : held.end]
        if text.rstrip()[-1:] not in "；;" or _count(text, _OPEN) <= _count(text, _CLOSE):
            yield held
            held = None
    if held is not None:
        yield held


def _count(text: str, chars: str) -> int:
    """How many of ``chars`` stand in ``text`` (one ``str.count`` per kind of bracket, not a
    test per character: every sentence of the document is measured)."""
    return sum(text.count(c) for c in chars)


def brackets(src: str, start: int, end: int) -> list[Bracket]:
    """Every balanced bracket in [start, end), nested ones too (因公出国（境）费 inside)."""
    out: list[Bracket] = []
    stack: list[int] = []
    for m in _BRACKET.finditer(src, start, end):  # the brackets only, not every character
        if m.group(0) in _OPEN:
            stack.append(m.start())
        elif stack:
            out.append(Bracket(stack.pop(), m.end()))
    return sorted(out, key=lambda b: b.start)


def parts_brackets(src: str, hits: list[LabelHit], start: int, end: int) -> list[PartsBracket]:
    """Brackets holding a whole's parts, right after the whole's label or figures: every
    label inside is one of its parts (or a part's part)."""
    out: list[PartsBracket] = []
    for b in brackets(src, start, end):
        inside = [h for h in hits if b.holds(h.start)]
        owner = max((k for k, h in enumerate(hits) if h.end <= b.start), default=None)
        if owner is None or not inside:
            continue
        if any(p.holds(hits[owner].start) and not p.holds(b.start) for p in out):
            continue  # the owner sits in a bracket that ends before this one
        parts = _PARTS.get(hits[owner].key, frozenset())
        if all(h.key in parts for h in inside):
            out.append(PartsBracket(b.start, b.end, owner))
    return out


def stretch_end(hits: list[LabelHit], k: int, parts: list[PartsBracket], default: int) -> int:
    """Where item ``k``'s stretch ends: at the next label past its own parts' bracket, and
    never past the closing bracket of a whole it is a part of."""
    after = max((b.end for b in parts if b.owner == k), default=hits[k].end)
    nxt = next((h.start for h in hits[k + 1 :] if h.start >= after), default)
    closes = [b.end - 1 for b in parts if b.holds(hits[k].start)]
    return min([nxt, default, *closes])


def asides(parts: list[PartsBracket], k: int) -> list[tuple[int, int]]:
    """The stretches item ``k``'s reading skips: the brackets of its parts."""
    return [(b.start, b.end) for b in parts if b.owner == k]


def anchor(parts: list[PartsBracket], pos: int) -> int:
    """Where the clause that decides the column of an item at ``pos`` is read: a part's
    is its whole's figure right before the bracket (预算12.30万元（其中…）: budget parts)."""
    return min((b.start - 1 for b in parts if b.holds(pos)), default=pos)


def skip_aside(spans: list[tuple[int, int]] | None, pos: int) -> int:
    """The end of the aside holding ``pos``, else 0."""
    return next((e for s, e in spans or () if s < pos < e), 0)


def respective_restated(
    src: str, hits: list[LabelHit]
) -> tuple[dict[int, Hit], dict[int, Bracket]]:
    """“A、B、C分别为1.20万元（上年1.35万元）、3.10万元、4.00万元”: items joined by 、/和,
    分别, then as many figures, one at least followed by a bracket about the same item.
    Returns each item's figure and the bracket after it (by the item's index in ``hits``);
    runs without a bracket are respective()'s."""
    figures: dict[int, Hit] = {}
    after: dict[int, Bracket] = {}
    i = 0
    while i < len(hits):
        j = i
        while j + 1 < len(hits) and _JOIN.fullmatch(src, hits[j].end, hits[j + 1].start):
            j += 1
        m = _RESPECTIVELY.match(src, hits[j].end) if j > i else None
        run = _run(src, m.end(), j - i + 1) if m and "分别" in m.group(0) else []
        if len(run) == j - i + 1 and any(b for _, b in run):
            for k, (found, bracket) in zip(range(i, j + 1), run, strict=True):
                figures[k] = found
                if bracket is not None:
                    after[k] = bracket
        i = j + 1
    return figures, after


def _run(src: str, pos: int, count: int) -> list[tuple[Hit, Bracket | None]]:
    """Up to ``count`` money figures from ``pos``, each maybe followed by a bracket."""
    out: list[tuple[Hit, Bracket | None]] = []
    while len(out) < count and pos < len(src) and src[pos].isdigit():
        found = quantity_at(src, pos)
        if found is None or found.kind != "money":
            break
        bracket = _bracket_at(src, found.end)
        out.append((found, bracket))
        pos = bracket.end if bracket else found.end
        sep = _FIGURE_SEP.match(src, pos)
        pos = sep.end() if sep else pos
    return out


def _bracket_at(src: str, pos: int) -> Bracket | None:
    """The balanced bracket opening at ``pos`` (spaces allowed before it)."""
    lead = _SPACES.match(src, pos)
    start = lead.end() if lead else pos
    if start >= len(src) or src[start] not in _OPEN:
        return None
    depth = 0
    for at in range(start, min(len(src), start + 80)):
        depth += src[at] in _OPEN
        depth -= src[at] in _CLOSE
        if depth == 0:
            return Bracket(start, at + 1)
    return None
