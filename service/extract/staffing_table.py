"""Staffing (人员情况) given as a table or a key–value form rather than a sentence.

Owns: reading 编制数 / 实有人数 / 离退休人员 from grids of cells, whatever their layout:
a 基本情况 form of label, count, label, count cells (编制数 | 52 | 实有人数 | 48); a header
row of labels over a row of counts; labels down the first column beside their counts;
counts by kind of 编制 (行政 / 事业 …) where the 合计 row, first or last, is the whole;
this year's column beside last year's (2022年 | 2023年, 本年 | 上年). The grids are the
ingest ``Table``s and the text lines ingest made no table of (cells parted by ``|``, tabs or
spaces, or glued: 编制数52实有人数48). The label words are the staffing lexicon's labels
and ``row_labels`` (lexicon/staffing.toml), matched at the end of a cell, so a year or
其中 before a label stays out of the way and a sub-quota (行政编制) is no label of the whole.
A count is a whole number, bare or in 人/名/个; 无 or — stands for none.
Proposes ``Candidate``s; never decides between them. Must not read sentences (staffing.py).
"""

from __future__ import annotations

import re
from functools import cache

from service.document import Cell, Table
from service.extract.clauses import report_year
from service.extract.form_lines import FormLines
from service.extract.ground import Grounder
from service.extract.lexicon import FieldEntry, lexicon
from service.extract.resolve import Candidate
from service.extract.table_headers import cell_quantity, covering, header_key
from service.memo import memo
from service.records.numbers import Quantity, is_blank

Grid = list[list[Cell | None]]

# A label's own lead-in: a year (2023年末), 本年/年末, 其中.
_LEAD = re.compile(r"^(?:其中[:：]?)?(?:(?P<year>\d{4})\s*年度?)?(?:本年|当年)?(?:年末|末)?")
_PREVIOUS = re.compile(r"上年|上一年|去年|上期|同期")
_CURRENT = re.compile(r"本年|今年|当年|本期")
_YEAR = re.compile(r"(\d{4})\s*年")
_WHOLE_COUNT = re.compile(r"\d[\d,]*\s*[人名个]?")
_TOTAL_ROW = re.compile(r"^(?:合计|总计|共计|总数|小计)$")


@cache
def _entries() -> tuple[tuple[FieldEntry, re.Pattern[str]], ...]:
    """Each staffing count entry with one pattern of its labels and row labels, anchored
    at the end of a cell."""
    out = []
    for e in lexicon().fields("staffing."):
        if e.kind != "count":
            continue
        parts = [p for p in (e.label_pattern(), e.row_label_pattern()) if p]
        out.append((e, re.compile(rf"(?:{'|'.join(f'(?:{p})' for p in parts)})[:：]?$")))
    return tuple(out)


@memo(16384)
def _label(text: str, year: int | None, strict: bool) -> FieldEntry | None:
    """The staffing field a cell names (its label at the cell's end), or None: no label,
    other words before it in a ``strict`` (table) cell — 规划编制 names a project, not the
    quota; the lexicon's ``form_label_leads`` (人员, 单位 …), a year or 其中 may stand
    there —, or last year's (上年末实有人数, 2022年 in a 2023 report)."""
    key = header_key(text)
    for entry, rx in _entries():
        m = rx.search(key)
        if m is None:
            continue
        lead = key[: m.start()]
        rest = lead[len(_LEAD.match(lead).group()) :]
        if strict and rest and not _leads().fullmatch(rest):
            return None
        if _period(lead, year) == "previous":
            return None
        return entry
    return None


@cache
def _leads() -> re.Pattern[str]:
    return re.compile(rf"(?:{lexicon().words_pattern('form_label_leads')})+")


@cache
def _sub_quota_word() -> re.Pattern[str]:
    """A column named by a kind of 编制 or staff: 行政编制, 事业, 工勤人员."""
    return re.compile(rf"(?:{lexicon().words_pattern('sub_quota')})(?:编制|人员)?$")


def _period(text: str, year: int | None) -> str | None:
    """'previous' or 'current' when ``text`` names last year or this one."""
    if _PREVIOUS.search(text):
        return "previous"
    m = _YEAR.search(text)
    if m and year is not None:
        return "previous" if int(m.group(1)) < year else "current"
    return "current" if _CURRENT.search(text) else None


def _count(cell: Cell | None, entry: FieldEntry) -> Quantity | None:
    """The count a cell holds: a whole number, bare or in the entry's units; 无 or —
    (none) as 0."""
    if cell is None:
        return None
    text = cell.text.strip()
    if is_blank(text) and text:
        return Quantity(value=0, start=0, end=len(cell.text.rstrip()))
    q = cell_quantity(cell.text)
    if q is None or not isinstance(q.value, int) or not entry.in_range(q.value):
        return None
    if q.unit is not None and q.unit not in entry.units:
        return None
    # The whole cell is the count (not “52人次”, a date or an amount).
    return q if _WHOLE_COUNT.fullmatch(text) else None


def _glued_run(label: Cell | None, cell: Cell, q: Quantity) -> bool:
    """A bare count of four digits or more run into its label (编制数1819): counts of
    several columns glued together, not one count."""
    glued = label is not None and label.span.end == cell.span.start
    return glued and q.unit is None and len(re.sub(r"\D", "", cell.text)) > 3


def _is_figure(cell: Cell | None) -> bool:
    """A figure or a nil mark (无, —); an empty cell is neither."""
    if cell is None or not cell.text.strip():
        return False
    return cell_quantity(cell.text) is not None or is_blank(cell.text)


class _GridReader:
    def __init__(self, g: Grounder, rows: Grid, loc: str, strict: bool, year: int | None) -> None:
        self.g = g
        self.rows = rows
        self.loc = loc
        self.strict = strict
        self.year = year  # the report's (``report_year``)

    def candidates(self) -> list[Candidate]:
        out = []
        for r, row in enumerate(self.rows):
            for c, cell in enumerate(row):
                if cell is None or (c > 0 and row[c - 1] is cell):
                    continue
                entry = _label(cell.text, self.year, self.strict)
                if entry is None:
                    continue
                found = self._right(r, c, entry) or self._below(r, c, entry)
                if found is not None:
                    q, at = found
                    cue = f"{self.loc} cue:{cell.text.strip()}"
                    value = self.g.quantity(q, at.span.start, cue)
                    if value.unit is None:  # a bare count in a headcount table is people
                        value = value.model_copy(update={"unit": "人"})
                    out.append(Candidate(entry.path, value, "table"))
        return out

    def _periods(self, r: int) -> dict[int, str]:
        """Column → 'previous' / 'current' by the header cells above row ``r``, or
        'total' / 'part' where they name a 合计 or a kind of 编制 (行政编制 | 事业编制)."""
        out: dict[int, str] = {}
        for row in self.rows[max(0, r - 3) : r]:
            for c, cell in enumerate(row):
                if cell is None or _is_figure(cell):
                    continue
                key = header_key(cell.text)
                period = _period(key, self.year)
                if _TOTAL_ROW.match(key):
                    period = "total"
                elif _sub_quota_word().match(key):
                    period = "part"
                if period is not None:
                    out[c] = period
        return out

    def _right(self, r: int, c: int, entry: FieldEntry) -> tuple[Quantity, Cell] | None:
        """The count in the row right of the label: the 合计 column's where the columns
        are kinds of 编制, else the first cell that is not last year's column; another word
        ends the search."""
        row = self.rows[r]
        periods = self._periods(r)
        totals = [j for j in range(c + 1, len(row)) if periods.get(j) == "total"]
        if totals:
            q = _count(row[totals[0]], entry)
            return (q, row[totals[0]]) if q is not None else None
        for j in range(c + 1, len(row)):
            cell = row[j]
            if cell is None or cell is row[c] or not cell.text.strip():
                continue
            if periods.get(j) == "previous":
                continue
            if periods.get(j) == "part":
                return None  # one kind's count among others, no total beside them
            q = _count(cell, entry)
            if q is not None and _glued_run(row[c], cell, q):
                return None
            return (q, cell) if q is not None else None
        return None

    def _below(self, r: int, c: int, entry: FieldEntry) -> tuple[Quantity, Cell] | None:
        """The count under a header row's label: the 合计 row's where rows are kinds, the
        only row's, or this year's row."""
        if any(_is_figure(cell) for cell in self.rows[r]):
            return None  # a row of label–count pairs, not a header
        found: list[tuple[str, Quantity, Cell]] = []
        for row in self.rows[r + 1 :]:
            cell = row[c] if c < len(row) else None
            q = _count(cell, entry) if cell is not None and cell is not self.rows[r][c] else None
            if q is None and _is_figure(cell):
                return None  # amounts or rates under the label: a money column, no headcount
            if q is None:
                if found and _is_header(row):
                    break
                continue
            if is_blank(cell.text) and not any(_count(x, entry) for x in row if x is not cell):
                continue  # 无 counts as none only beside the row's other counts
            label = next((header_key(x.text) for x in row[:c] if x and x.text.strip()), "")
            found.append((label, q, cell))
        totals = [f for f in found if _TOTAL_ROW.match(f[0])]
        current = [f for f in found if _period(f[0], self.year) == "current"]
        pick = totals[:1] or (found if len(found) == 1 else current[:1])
        return (pick[0][1], pick[0][2]) if pick else None


def _is_header(row: list[Cell | None]) -> bool:
    cells = [c for c in row if c is not None and c.text.strip()]
    return len(cells) >= 2 and not any(_is_figure(c) for c in cells)


def _table_grid(table: Table) -> Grid:
    rows: Grid = [[None] * table.n_cols for _ in range(table.n_rows)]
    for cell in table.cells:
        rows[cell.row][cell.col] = cell
    return covering(rows)


def staffing_form_candidates(
    g: Grounder, tables: list[Table], form: FormLines | None = None
) -> list[Candidate]:
    """Headcounts from the document's tables and form lines (``g`` on the document text;
    ``form``: its lines cut as form lines, where the caller has them)."""
    out = []
    year = report_year(g.doc.text)  # once, not once per grid
    for table in tables:
        grid = _table_grid(table)
        out += _GridReader(g, grid, f"table:{table.index}", True, year).candidates()
    for grid in (form or FormLines(g.doc)).grids():
        out += _GridReader(g, grid, "form", False, year).candidates()
    return out
