"""More forms a plain-text copy flattens a table into, read back as rows of cell texts.

Owns, beside the forms of ``flat_tables`` (one cell per tabbed line, tabs, runs of spaces):

* **ruled grids**: cells parted by pipes or box-drawing bars (``|``, ``｜``, ``│``, ``┃``,
  ``║``) with rule lines above, between or under the rows (``+----+``, ``├──┼──┤``,
  ``|---|``); where rules part every row, the lines between two rules are one row whose
  cells wrapped;
* **delimited rows** (a CSV or semicolon copy): ``项目,预算数,决算数`` over
  ``基本支出,"1,234.56",820.00``; an unquoted thousands separator is put back where a row
  has more fields than its header (``1,234.56`` read as ``1`` | ``234.56``);
* **stacked cells**: one cell per line with no tab, a header of N words then rows of N
  cells (an empty corner, a 序号 column allowed);
* **label then figures**: a header line, then each row as its label on one line and its
  figures on the next.

Each reader takes a page's lines and where to start, and returns the rows and the index
after the last line it took, or None when the lines are not in its form. Must not decide
whether rows are a money table: the extractors read the grids by their headers.
"""

from __future__ import annotations

import csv
import re

Rows = list[list[str]]
Found = tuple[Rows, int]

# A figure cell: '45个', '≥90%', '1059.01', '-3.2%', '12.30万元' (not a year, not prose).
_FIGURE = re.compile(
    r"^(?:[≥≤<>=约~±+\-]|不[低高少多]于|大于|小于)*[+\-]?\d[\d,]*(?:\.\d+)?"
    r"(?:%|‰|[^\d\s]{0,3})?$"
)
_YEAR = re.compile(r"^\d{4}\s*年")


def is_figure(text: str) -> bool:
    """A cell holding a figure: '45个', '≥90%', '1059.01', '-3.2%' (not a date or prose)."""
    return bool(_FIGURE.match(text.replace(" ", ""))) and not _YEAR.match(text)


def join_wrapped(head: str, tail: str) -> str:
    """Glue a wrapped cell back together: no space between CJK pieces (``年度预``+``算申请``),
    one space where two Latin words or numbers would otherwise run together."""
    head, tail = head.rstrip(), tail.strip()
    if head and tail and head[-1].isascii() and head[-1].isalnum() and tail[0].isascii():
        return f"{head} {tail}" if tail[0].isalnum() else head + tail
    return head + tail


_BARS = "|｜│┃║┆┊"
_PIPE = re.compile(f"[{_BARS}]")
# A rule line: dashes, box corners and crossings, bars, colons of a Markdown rule.
_RULE = re.compile(rf"^[\s{_BARS}+:：\-—─━═┄┈┅┉=┌┐└┘├┤┬┴┼╋╔╗╚╝╠╣╦╩╬┏┓┗┛┣┫┳┻╭╮╯╰]*$")
_DASHES = re.compile(r"[-—─━═┄┈┅┉=]{3,}")
# Cells a stacked table's value columns may hold: a figure, or a mark for none.
_NIL = re.compile(r"^(?:[—–\-－/／]+|无|空|/)$")
_SERIAL = re.compile(r"^\d{1,3}[、.．]?$")
_SENTENCE = re.compile(r"[。，；;！？!?]")
MAX_CELL_CHARS = 24
MAX_HEADER_WORDS = 12
MAX_STACKED_ROWS = 50000
MAX_GAP_LINES = 1


def is_rule_line(line: str) -> bool:
    """A line drawn to rule a grid: ``+----+----+``, ``├────┼────┤``, ``|---|:--|``."""
    return bool(line.strip()) and bool(_RULE.match(line)) and bool(_DASHES.search(line))


def is_bar_row(line: str) -> bool:
    """A row of cells parted by two or more bars: '| 项目 | 预算数 |', '│支出合计│12│'."""
    return len(_PIPE.findall(line)) >= 2 and not is_rule_line(line)


def starts_ruled(lines: list[str], i: int) -> bool:
    """A ruled grid starts at ``i``: a bar row, or rule lines over a bar row."""
    j = i
    while j < min(len(lines), i + 3) and is_rule_line(lines[j]):  # a rule or two above
        j += 1
    return j < len(lines) and is_bar_row(lines[j]) and (j > i or is_bar_row(lines[i]))


def _bar_cells(line: str) -> list[str]:
    cells = [c.strip() for c in _PIPE.split(line.strip())]
    if cells and not cells[0]:
        cells = cells[1:]
    if cells and not cells[-1]:
        cells = cells[:-1]
    return cells


def read_ruled(lines: list[str], start: int) -> Found:
    """Bar rows and the rule lines among them; rows wrapped over lines joined back where
    rules part every row (three or more groups of bar lines between rules)."""
    groups: list[list[list[str]]] = [[]]
    i = start
    while i < len(lines) and (is_rule_line(lines[i]) or is_bar_row(lines[i])):
        if is_rule_line(lines[i]):
            if groups[-1]:
                groups.append([])
        else:
            groups[-1].append(_bar_cells(lines[i]))
        i += 1
    groups = [g for g in groups if g]
    if len(groups) >= 3:
        return [_join_lines(g) for g in groups], i
    return [row for g in groups for row in g], i


def _join_lines(group: list[list[str]]) -> list[str]:
    """The lines of one ruled row as one row: each column's pieces joined (a CJK name
    wrapped goes on without a space)."""
    width = max(len(r) for r in group)
    out = [""] * width
    for row in group:
        for c, text in enumerate(row):
            out[c] = join_wrapped(out[c], text) if out[c] and text else out[c] or text
    return out


# --- delimited rows (CSV, semicolons) -------------------------------------------------------

_DELIMITERS = (",", ";", "；")
_THOUSANDS_HEAD = re.compile(r"^[-－]?\d{1,3}(?:,\d{3})*$")
_THOUSANDS_TAIL = re.compile(r"^\d{3}(?:\.\d+)?%?$")


def delimiter_of(line: str) -> str | None:
    """The delimiter a CSV-like line uses (two or more of it), else None. A line holding
    a full stop or a Chinese comma is prose."""
    if "。" in line or "，" in line:
        return None
    found = [d for d in _DELIMITERS if line.count(d) >= 2]
    return found[0] if found else None


def _fields(line: str, delimiter: str) -> list[str]:
    return [f.strip() for f in next(csv.reader([line], delimiter=delimiter))]


def _mend_thousands(row: list[str], width: int) -> list[str]:
    """Fields of an unquoted ``1,234.56`` joined back until the row is ``width`` wide."""
    row = list(row)
    k = 0
    while len(row) > width and k + 1 < len(row):
        if _THOUSANDS_HEAD.match(row[k]) and _THOUSANDS_TAIL.match(row[k + 1]):
            row[k : k + 2] = [f"{row[k]},{row[k + 1]}"]
        else:
            k += 1
    return row


def read_delimited(lines: list[str], start: int) -> Found | None:
    """Consecutive lines with the first line's delimiter, each as wide as the first (a
    thousands separator mended); None for fewer than two such rows."""
    delimiter = delimiter_of(lines[start])
    if delimiter is None:
        return None
    header = _fields(lines[start], delimiter)
    width = len(header)
    rows = [header]
    i = start + 1
    while i < len(lines) and delimiter in lines[i] and delimiter_of(lines[i]) is not None:
        row = _fields(lines[i], delimiter)
        if delimiter == ",":
            row = _mend_thousands(row, width)
        if len(row) != width:
            break
        rows.append(row)
        i += 1
    return (rows, i) if len(rows) >= 2 else None


# --- one cell per line, no tab --------------------------------------------------------------


def _is_value(text: str) -> bool:
    return bool(is_figure(text) or _NIL.match(text))


def _is_cell(text: str) -> bool:
    return 0 < len(text) <= MAX_CELL_CHARS and not _SENTENCE.search(text)


def _stacked_cells(lines: list[str], start: int, most: int) -> list[tuple[str, int]]:
    """The short lines from ``start`` (single blank lines passed over), at most ``most``,
    with the index after each."""
    out: list[tuple[str, int]] = []
    i, n = start, len(lines)
    while i < n and len(out) < most:
        text = lines[i].strip(" \u3000\t")
        if not text:
            j = i
            while j < n and not lines[j].strip(" \u3000\t"):
                j += 1
            if j - i > MAX_GAP_LINES:
                break
            i = j
            continue
        if not _is_cell(text):
            break
        out.append((text, i + 1))
        i += 1
    return out


def _row_ok(row: list[str]) -> bool:
    """[序号] label, then values only (figures or marks for none)."""
    cells = row[1:] if _SERIAL.match(row[0]) and len(row) > 2 else row
    label, values = cells[0], cells[1:]
    return not _is_value(label) and bool(values) and all(_is_value(v) for v in values)


def read_stacked(lines: list[str], start: int) -> Found | None:
    """A header of words one per line, then rows of as many cells one per line: the
    header's last word may be the first row's label, or the header lacks its corner word
    (the rows one cell wider). None unless two rows follow a header of two or more words
    and the rows have two or more value columns. Cells are read a row at a time, so lines
    that are no such table cost a few lines each."""
    head = _stacked_cells(lines, start, MAX_HEADER_WORDS + 2)
    h = next((k for k, (t, _) in enumerate(head) if _is_value(t)), len(head))
    if not 2 <= h <= MAX_HEADER_WORDS + 1:
        return None
    best: tuple[Rows, int] | None = None
    for words, width in ((h - 1, h - 1), (h - 1, h), (h, h)):
        if words < 2 or width < 3:
            continue
        rows: Rows = []
        end = head[words - 1][1]
        while len(rows) < MAX_STACKED_ROWS:
            row = _stacked_cells(lines, end, width)
            if len(row) < width or not _row_ok([t for t, _ in row]):
                break
            rows.append([t for t, _ in row])
            end = row[-1][1]
        figures = any(is_figure(v) for row in rows for v in row[1:])
        if len(rows) >= 2 and figures and (best is None or len(rows) > len(best[0]) - 1):
            header = [""] * (width - words) + [t for t, _ in head[:words]]
            best = ([header, *rows], end)
    return best


# --- a label line, its figures on the next ---------------------------------------------------


def read_label_then_figures(lines: list[str], start: int) -> Found | None:
    """A header line of words (parted by spaces) over pairs of lines: a row's label, then
    its figures parted by spaces. None without the header or two such pairs."""
    header = lines[start].split()
    if not 2 <= len(header) <= 8 or any(_is_value(w) for w in header):
        return None
    rows: Rows = []
    i = start + 1
    while i + 1 < len(lines):
        label, figures = lines[i].split(), lines[i + 1].split()
        # the label alone, or after its 序号 (1 支出合计)
        if not (len(label) == 1 or (len(label) == 2 and _SERIAL.match(label[0]))):
            break
        if not (_is_cell(label[-1]) and figures) or _is_value(label[-1]):
            break
        if not all(_is_value(f) for f in figures) or len(label) + len(figures) > len(header) + 1:
            break
        rows.append([*label, *figures])
        i += 2
    if len(rows) < 2:
        return None
    width = max(len(r) for r in rows)
    head = [""] * (width - len(header)) + header if len(header) < width else header
    return [head, *rows], i
