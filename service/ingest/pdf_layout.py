"""Reading order for one text-layer PDF page.

Takes the page's text fragments (runs of characters on one visual line, tables already
taken out) and its table areas, all in display coordinates, and returns them as an ordered
list of rows and tables with paragraph breaks marked. Pure geometry: no PyMuPDF, no
document builder.

The page is cut into horizontal *strips* at whitespace running across the whole width.
Consecutive strips that share a vertical gutter form a *section*; a section whose sides
look like real text columns (wide, filled lines, several rows) is read column by column,
anything else row by row. Report pages are mostly one column with label/value forms and
unruled number tables, so the column test is strict: reading a form column-wise would
separate every label from its value.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

Box = tuple[float, float, float, float]


@dataclass
class Fragment:
    """Text on one visual line as the PDF's text layer holds it."""

    text: str
    box: Box
    size: float  # font size, points

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]


@dataclass
class Row:
    """One line of running text: fragments side by side, left to right."""

    fragments: list[Fragment]
    new_paragraph: bool = False
    box: Box = (0.0, 0.0, 0.0, 0.0)

    def __post_init__(self) -> None:
        self.box = _union([f.box for f in self.fragments])

    def add(self, fragment: Fragment) -> None:
        self.fragments.append(fragment)
        self.box = _union([self.box, fragment.box])

    @property
    def size(self) -> float:
        return max(f.size for f in self.fragments)

    @property
    def text(self) -> str:
        parts: list[str] = []
        prev: Fragment | None = None
        for frag in self.fragments:
            text = frag.text.strip()
            if not text:
                continue
            # A wide gap between two runs on one line (a label and its value) keeps a space;
            # runs that touch (a Chinese word next to a number in another font) do not.
            if prev is not None and frag.box[0] - prev.box[2] > 0.5 * frag.size:
                parts.append(" ")
            parts.append(text)
            prev = frag
        return "".join(parts)


@dataclass
class Placed:
    """Something placed whole (a table): its box and what it stands for."""

    box: Box
    payload: object
    new_paragraph: bool = True


Item = Row | Placed


@dataclass
class _Element:
    box: Box
    fragment: Fragment | None = None
    placed: Placed | None = None


@dataclass
class _Section:
    strips: list[list[_Element]] = field(default_factory=list)
    free: list[tuple[float, float]] = field(default_factory=list)

    @property
    def elements(self) -> list[_Element]:
        return [e for strip in self.strips for e in strip]


def reading_order(fragments: list[Fragment], placed: list[Placed]) -> list[Item]:
    elements = [_Element(f.box, fragment=f) for f in fragments if f.text.strip()]
    elements += [_Element(p.box, placed=p) for p in placed]
    if not elements:
        return []
    sizes = [f.size for f in fragments if f.text.strip()] or [10.0]
    size = statistics.median(sizes)
    left = min(e.box[0] for e in elements)
    right = max(e.box[2] for e in elements)
    # Consecutive one-column sections read as one run, so paragraphs are judged across them.
    groups: list[list[list[_Element]]] = []
    for section in _sections(_strips(elements), left, right, size):
        columns = _columns(section, size)
        if len(columns) == 1 and groups and len(groups[-1]) == 1:
            groups[-1][0].extend(columns[0])
        else:
            groups.append(columns)
    items: list[Item] = []
    for columns in groups:
        for i, column in enumerate(columns):
            column_items = _order_column(column, size)
            if column_items and (items or i):
                column_items[0].new_paragraph = True
            items.extend(column_items)
    return items


# --- strips and sections ----------------------------------------------------------------


def _strips(elements: list[_Element]) -> list[list[_Element]]:
    """Groups of elements separated by whitespace across the whole page width."""
    strips: list[list[_Element]] = []
    bottom = float("-inf")
    for element in sorted(elements, key=lambda e: (e.box[1], e.box[0])):
        height = element.box[3] - element.box[1]
        if strips and element.box[1] < bottom - 0.3 * height:
            strips[-1].append(element)
            bottom = max(bottom, element.box[3])
        else:
            strips.append([element])
            bottom = element.box[3]
    return strips


def _free(strip: list[_Element], left: float, right: float) -> list[tuple[float, float]]:
    """Horizontal intervals of ``[left, right]`` no element of the strip covers."""
    out = []
    x = left
    for x0, x1 in sorted((e.box[0], e.box[2]) for e in strip):
        if x0 > x:
            out.append((x, x0))
        x = max(x, x1)
    if x < right:
        out.append((x, right))
    return out


def _intersect(
    a: list[tuple[float, float]], b: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    out = []
    for a0, a1 in a:
        for b0, b1 in b:
            lo, hi = max(a0, b0), min(a1, b1)
            if hi > lo:
                out.append((lo, hi))
    return out


def _gutters(
    free: list[tuple[float, float]], elements: list[_Element], size: float
) -> list[tuple[float, float]]:
    """Free intervals wide enough to separate columns, with text on both sides."""
    min_width = max(6.0, 0.8 * size)
    return [
        (lo, hi)
        for lo, hi in free
        if hi - lo >= min_width
        and any(e.box[2] <= lo + 0.5 for e in elements)
        and any(e.box[0] >= hi - 0.5 for e in elements)
    ]


def _sections(
    strips: list[list[_Element]], left: float, right: float, size: float
) -> list[_Section]:
    sections: list[_Section] = []
    current: _Section | None = None
    bottom = float("-inf")
    for strip in strips:
        free = _free(strip, left, right)
        top = min(e.box[1] for e in strip)
        # Wide vertical whitespace ends a section whatever the gutters say.
        if current is not None and top - bottom <= 2 * size:
            shared = _intersect(current.free, free)
            # The gutter must already separate text in the section: a lone title line
            # above two columns must not pull them into its own section.
            if _gutters(shared, current.elements, size):
                current.strips.append(strip)
                current.free = shared
                bottom = max(bottom, max(e.box[3] for e in strip))
                continue
        current = _Section([strip], free)
        sections.append(current)
        bottom = max(e.box[3] for e in strip)
    return sections


# --- columns ------------------------------------------------------------------------------


def _columns(section: _Section, size: float) -> list[list[_Element]]:
    """The section's elements split into text columns, or one column when the sides do not
    look like running text."""
    elements = section.elements
    gutters = _gutters(section.free, elements, size) if len(section.strips) >= 3 else []
    if not gutters:
        return [elements]
    bounds = [g[0] for g in gutters] + [float("inf")]
    columns: list[list[_Element]] = [[] for _ in bounds]
    for element in elements:
        centre = (element.box[0] + element.box[2]) / 2
        index = next(i for i, b in enumerate(bounds) if centre <= b)
        columns[index].append(element)
    x0 = min(e.box[0] for e in elements)
    x1 = max(e.box[2] for e in elements)
    if all(_is_text_column(col, x1 - x0, size) for col in columns):
        return columns
    return [elements]


def _is_text_column(column: list[_Element], section_width: float, size: float) -> bool:
    lines = [e for e in column if e.fragment is not None]
    if len(lines) < 3:
        return False
    x0 = min(e.box[0] for e in column)
    x1 = max(e.box[2] for e in column)
    width = x1 - x0
    if width < max(0.2 * section_width, 8 * size):
        return False
    # Wrapped prose fills its column; the cells of an unruled table or a form do not.
    fill = statistics.median((e.box[2] - e.box[0]) / width for e in lines)
    return fill >= 0.6


# --- rows and paragraphs -----------------------------------------------------------------


def _order_column(column: list[_Element], size: float) -> list[Item]:
    rows = _rows([e.fragment for e in column if e.fragment is not None])
    items: list[Item] = [*rows, *(e.placed for e in column if e.placed is not None)]
    items.sort(key=lambda it: (it.box[1], it.box[0]))
    _mark_paragraphs(items, size)
    return items


def _rows(fragments: list[Fragment]) -> list[Row]:
    rows: list[Row] = []
    for frag in sorted(fragments, key=lambda f: ((f.box[1] + f.box[3]) / 2, f.box[0])):
        centre = (frag.box[1] + frag.box[3]) / 2
        if rows:
            last = rows[-1]
            y0, y1 = last.box[1], last.box[3]
            tolerance = 0.5 * min(frag.height, y1 - y0)
            if abs(centre - (y0 + y1) / 2) <= tolerance:
                last.add(frag)
                continue
        rows.append(Row([frag]))
    for row in rows:
        row.fragments.sort(key=lambda f: f.box[0])
    return rows


def _mark_paragraphs(items: list[Item], size: float) -> None:
    """Set ``new_paragraph`` where a blank line belongs: around tables, after a wider
    than usual gap, at an indented first line, after a line that stops short."""
    rows = [it for it in items if isinstance(it, Row)]
    if not rows:
        return
    left = min(r.box[0] for r in rows)
    right = max(r.box[2] for r in rows)
    gaps = [b.box[1] - a.box[3] for a, b in zip(rows, rows[1:], strict=False)]
    usual = statistics.median(gaps) if len(gaps) >= 2 else 0.3 * size
    prev: Item | None = None
    for item in items:
        if prev is None or isinstance(item, Placed) or isinstance(prev, Placed):
            item.new_paragraph = item.new_paragraph or prev is not None
        else:
            height = item.box[3] - item.box[1]
            gap = item.box[1] - prev.box[3]
            indented = item.box[0] - left >= 1.5 * item.size and prev.box[0] - left < item.size
            short = prev.box[2] < right - 3 * prev.size
            wide_gap = gap > max(usual, 0.0) + 0.5 * height
            item.new_paragraph = indented or short or wide_gap
        prev = item


def _union(boxes: list[Box]) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
