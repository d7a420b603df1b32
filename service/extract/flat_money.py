"""Money tables written as text lines that ingest did not make a ``Table`` of.

Owns: a 收支 or 三公 table pasted as plain text with its cells parted by single spaces
(“支出合计 6,203,118.40”), where the unit stands only in a caption or heading line above it
(“二、经费收支（单位：元）”, “（万元）”), perhaps under a header line naming its columns
(“项目 年初预算 全年预算 执行数”, “项目 本年 上年 增减额 增减率”). A row is a short
label followed by one to four figures; a block is a run of rows (blank lines aside) of
which one is named by a budget or 三公 row label the lexicon knows (a bare 合计 is not
enough), with the header line above it. Each block becomes a ``Table``
whose cells are the line's own spans, handed to the table mapper with its header words and
the caption's unit (else 元 where a figure has seven digits); this module never maps a
figure to a field. A header line naming two or more 三公 items starts a table with the
items as columns, its rows named by what they hold (预算数, 决算数). Reads only the document's
lines (ingest's tables are not among them), so no line is read twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from service.document import Cell, Line, Span, Table
from service.extract.ground import Grounder
from service.extract.lexicon import lexicon
from service.extract.money_columns import stacked_words
from service.extract.money_rows import BARE_TOTAL
from service.extract.table_headers import UNIT_IN_HEADER, unit_in_note

# A figure cell: 6,203,118.40 | -0.15 | 12.5% | a dash or 无 for none.
_FIGURE = r"[-－]?\d[\d,]*(?:\.\d+)?(?:%|万元|元)?|[-－—/]|无"
_TOKEN = re.compile(r"\S+")
_SERIAL = re.compile(r"\d{1,3}[、.．]?")
_CAPTION_UNIT = re.compile(
    r"(?:单位\s*[:：]\s*|[(（]\s*(?:单位\s*[:：]?\s*)?)(万元|千元|亿元|元)\s*[)）]?\s*$"
)
_MAX_FIGURES = 6  # 预算 决算 上年 增减额 增减率, an 执行率 beside them
_MAX_LABEL = 30
_CAPTION_DISTANCE = 3  # lines between the caption and the block's first line


@dataclass
class FlatBlock:
    """One text money table: its rows as a ``Table`` (label cell, then figure cells), the
    header words of its figure columns (None when it has no header line) and the unit a
    caption above it states."""

    table: Table
    header: list[str] | None
    unit: str | None
    # The header line is the table's first row: a 三公 table with its items as columns
    # (项目 合计 因公出国(境)费 公务接待费 …), its rows named by what they hold (本年决算数).
    items_as_columns: bool = False


_FIGURE_RX = re.compile(_FIGURE)
_DIGIT = re.compile(r"\d")
_YEAR_WORD = re.compile(r"\d{4}年")
_ROW_PUNCT = re.compile(r"[，。；,;]")
Row = tuple[tuple[int, int], list[tuple[int, int]]]  # (label span, figure spans)


def _is_figure(token: str) -> bool:
    return _FIGURE_RX.fullmatch(token) is not None


def _cells(text: str, s: int, e: int) -> list[tuple[int, int]]:
    return [(s + m.start(), s + m.end()) for m in _TOKEN.finditer(text[s:e])]


def split_row(text: str, tokens: list[tuple[int, int]]) -> Row | None:
    """(label span, figure spans) of a line (cut into its cells, ``tokens``) that is a
    label and 1–4 figures, else None."""
    k = len(tokens)
    while k > 0 and _is_figure(text[slice(*tokens[k - 1])]):
        k -= 1
    figures = tokens[k:]
    if k == 0 or not 1 <= len(figures) <= _MAX_FIGURES:
        return None
    if k > 1 and _SERIAL.fullmatch(text[slice(*tokens[0])]):
        tokens, k = tokens[1:], k - 1  # a 序号 before the label
    label = (tokens[0][0], tokens[k - 1][1])
    words = text[label[0] : label[1]]
    if words[-1].isdigit() or len(words) > _MAX_LABEL or _ROW_PUNCT.search(words):
        return None  # a sentence ending in figures, not a row
    return label, figures


def _row_at(
    text: str,
    spans: list[tuple[int, int]],
    cells: list[list[tuple[int, int]]],
    j: int,
    is_label: Callable[[str], bool],
    in_block: bool,
) -> tuple[Row, int] | None:
    """The row at line ``j`` (``cells``: each line's) and how many lines it takes: a label
    and its figures on one line, or a budget or 三公 label (合计 too, ``in_block``) alone
    on its line with its figures alone on the next (a PDF or text copy that put the label
    above its row). The next line is looked at before the label is asked about: most
    lines are prose over prose, and the label's question costs more."""
    row = split_row(text, cells[j])
    if row is not None:
        return row, 1
    if j + 1 >= len(spans):
        return None
    figures = cells[j + 1]
    if not 1 <= len(figures) <= _MAX_FIGURES or not all(_is_figure(text[a:b]) for a, b in figures):
        return None
    label = text[slice(*spans[j])].strip()
    if not (is_label(label) or in_block and BARE_TOTAL.match(label)):
        return None
    return (spans[j], figures), 2


def _header_words(text: str, s: int, e: int) -> list[str] | None:
    """The words of a header line (2–6 words, no figure), else None."""
    words = [text[a:b] for a, b in _cells(text, s, e)]
    words = words[1:] if words and words[0] == "序号" else words
    if not 2 <= len(words) <= 7 or any(_DIGIT.search(w) and "年" not in w for w in words):
        return None
    return words


def caption_unit(text: str, lines: list[tuple[int, int]], first: int) -> str | None:
    for s, e in reversed(lines[max(0, first - _CAPTION_DISTANCE) : first]):
        m = _CAPTION_UNIT.search(text[s:e])
        if m:
            return m.group(1)
    return None


def lines_table(text: str, index: int, page: int, rows: list[Row]) -> Table:
    cells = []
    for r, (label, figures) in enumerate(rows):
        for c, (a, b) in enumerate([label, *figures]):
            cells.append(Cell(row=r, col=c, text=text[a:b], page=page, span=Span(start=a, end=b)))
    n_cols = 1 + max(len(f) for _, f in rows)
    span = Span(start=rows[0][0][0], end=rows[-1][1][-1][1])
    return Table(index=index, pages=[page], n_rows=len(rows), n_cols=n_cols, cells=cells, span=span)


def flat_money_blocks(
    g: Grounder,
    lines: list[Line],
    is_label: Callable[[str], bool],
    is_item: Callable[[str], bool] = lambda _: False,
) -> list[FlatBlock]:
    """The text money tables among ``lines``: runs of rows whose label ``is_label`` (a
    budget or 三公 row label), each with the header line just above it, if any."""
    text = g.doc.text
    # Blank lines part nothing: a table pasted with an empty line between its rows.
    lines = [line for line in lines if not text[line.span.start : line.span.end].isspace()]
    spans = [g.trim(line.span.start, line.span.end) for line in lines]
    lines = [line for line, (s, e) in zip(lines, spans, strict=True) if s < e]
    spans = [(s, e) for s, e in spans if s < e]
    cells = [_cells(text, s, e) for s, e in spans]  # once: each line is read thrice
    out: list[FlatBlock] = []
    i = 0
    while i < len(spans):
        items = _items_block(text, cells, i, is_item)
        if items is not None:
            rows, j = items
            unit = caption_unit(text, spans, i + 1)  # 项目名称 预算数 决算数（单位：元）
            out.append(
                FlatBlock(lines_table(text, len(out), lines[i].page, rows), None, unit, True)
            )
            i = j
            continue
        rows = []
        j = i
        while (
            j < len(spans) and (row := _row_at(text, spans, cells, j, is_label, j > i)) is not None
        ):
            rows.append(row[0])
            j += row[1]
        # A run of label-and-figures lines is a money table when one label is a budget or
        # 三公 row the lexicon knows; the others (工资福利支出 …) are its lines too.
        if not any(is_label(text[slice(*r[0])]) for r in rows):
            i = max(j, i + 1)
            continue
        h = i - 1  # the header line, above any row whose cells are all blank (因公出国（境）费)
        while h > 0 and h > i - 3 and is_label(text[slice(*spans[h])].strip()):
            h -= 1
        header = _header_words(text, *spans[h]) if h >= 0 else None
        first = h if header is not None else i
        upper = _header_words(text, *spans[h - 1]) if header and h > 0 else None
        if upper and header and (words := stacked_words(upper, header)) is not None:
            header, first = words, h - 1  # 2023年 2022年 over 预算数 决算数 决算数
        unit = caption_unit(text, spans, first)
        if header is not None:  # “预算数（元）” in the header line says it for its columns
            m = UNIT_IN_HEADER.search(text[slice(*spans[h])])
            unit = m.group(1) if m else unit
        unit = unit or _note_unit(text, rows) or _unit_by_size(text, rows)
        if len(rows) >= 2 or header is not None or unit is not None:  # one bare line is prose
            table = lines_table(text, len(out), lines[i].page, rows)
            out.append(FlatBlock(table, header, unit))
        i = j
    return out


def _items_block(
    text: str, cells: list[list[tuple[int, int]]], i: int, is_item: Callable[[str], bool]
) -> tuple[list[Row], int] | None:
    """The header line at ``i`` naming two or more 三公 items and the label-and-figures
    rows under it (header first), with where they end; None when it is no such header.
    ``cells``: each line's. (A line of one word, most prose, names no two items.)"""
    words = cells[i]
    if (
        len(words) < 2
        or any(_is_figure(text[a:b]) for a, b in words)
        or sum(is_item(text[a:b]) for a, b in words) < 2
    ):
        return None
    rows: list[Row] = [(words[0], words[1:])]
    j = i + 1
    while j < len(cells) and (row := split_row(text, cells[j])) is not None:
        rows.append(row)
        j += 1
    if is_item(text[slice(*words[0])]) and all(len(f) == len(words) for _, f in rows[1:]):
        # no corner word: every word names an item column, the corner an empty cell
        rows[0] = ((words[0][0], words[0][0]), words)
    return (rows, j) if len(rows) > 1 else None


def _note_unit(text: str, rows: list[Row]) -> str | None:
    """The unit a note under the last row states (注：本表金额单位为元)."""
    ends = [b for label, figures in rows[-1:] for _, b in (label, *figures)]
    return unit_in_note(text, max(ends)) if ends else None


def _unit_by_size(text: str, rows: list[Row]) -> str | None:
    return yuan_by_size(text[a:b] for _, figures in rows for a, b in figures)


_AMOUNT = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d{1,2})")


def yuan_by_size(texts: Iterable[str]) -> str | None:
    """元 where no unit is stated but an amount of seven digits or more stands in the
    table (1,365,613.65): as 万元 it would be a budget of over a hundred 亿. Only amounts
    written as such (a thousands separator or cents) count: a phone number or a budget
    code is no amount."""
    for t in texts:
        t = t.strip()
        if _AMOUNT.fullmatch(t) and len(t.lstrip("-").split(".")[0].replace(",", "")) >= 7:
            return "元"
    return None


def flat_roles(first_row: list[str]) -> dict[int, str]:
    """Column → role of a text money table with no header, by how many figures its first
    row holds: one is the final figure; two the budget and the final; three the initial
    budget, the budget and the final, or the budget, the final and the rate (a percent
    last). Four say too little: {}."""
    n = sum(1 for t in first_row if t)
    if n == 1:
        return {1: "final"}
    if n == 2:
        return {1: "budget", 2: "final"}
    if n == 3 and first_row[2].endswith("%"):
        return {1: "budget", 2: "final", 3: "execution_rate"}
    if n == 3:
        return {1: "initial_budget", 2: "budget", 3: "final"}
    return {}


# --- project and money tables whose cells are glued ----------------------------------------
#
# 序号项目名称预算数（元）决算数（元） over 2委员履职经费507,900.00497,300.00: the cells of a row
# glued (or spaced) after its name. Amounts are split where a two-decimal part ends, a rate
# ends in %; the header words say which column is which.

# An amount that may stand glued to the next: its decimal part has exactly two digits.
_GLUED_AMOUNT = r"-?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d{2}"
# A rate glued before the next figure has at most two decimals (97.62%1180.25); the last
# may have more.
_GLUED_RATE = r"-?\d+(?:\.\d{1,2})?%"
_LAST_RATE = r"-?\d+(?:\.\d+)?%"
# A mark for none glued among figures (无, —, a dash not before a digit).
_GLUED_NIL = r"无|[—－/]|-(?![\d.])"
_GLUED_TAIL = re.compile(
    rf"(?:{_GLUED_RATE}|{_GLUED_AMOUNT}|{_GLUED_NIL})*"
    rf"(?:{_GLUED_AMOUNT}|{_LAST_RATE}|{_GLUED_NIL})"
)
_SPACED_FIGURE = re.compile(rf"-?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?%?|{_GLUED_NIL}")
_PIECE = re.compile(rf"{_GLUED_RATE}|{_GLUED_AMOUNT}|{_LAST_RATE}|{_GLUED_NIL}")
# The row's number before its name: “2委员履职经费”, “1 道路养护” (not 2号楼, 3年级 …).
_ROW_NUMBER = re.compile(
    r"^\s*\d{1,3}(?:\s*[、.．]\s*|\s+|(?=项目)|(?=[^\d\s.,，年月日号期个项类级]))"
)
FIGURES_TAIL = re.compile(r"[-\d,.%\s无—－/]+$")
_HEADER_LEFTOVER = 4  # characters of a header line that name no column


@dataclass
class GluedBlock:
    """A project or money table whose row cells are glued: the header words (the name
    column's, then one per figure column), its rows as a ``Table`` (header first) and the
    unit the header or a caption states; where the lines it took start."""

    table: Table
    words: list[str]
    unit: str | None
    taken: set[int]


def _unanchored(fragment: str) -> str:
    return fragment.removeprefix("^").removesuffix("$")


@cache
def _name_words() -> re.Pattern[str]:
    """The name column's word in a header line whose cells may be glued (项目名称, 科目)."""
    lex = lexicon()
    words = [
        _unanchored(f)
        for name in ("project_table_headers", "money_table_item_headers")
        for f in lex.words(name)
    ]
    return re.compile("|".join(f"(?:{w})" for w in sorted(words, key=len, reverse=True)))


@cache
def _column_words() -> re.Pattern[str]:
    """The figure columns' words in such a line: rates, then the plan columns, then the
    final one (so 预算执行率 is a rate and 本年预算数 a budget)."""
    order = ("execution_rate", "initial_budget", "previous_final", "budget", "final")
    frags = [
        _unanchored(f) for role in order for f in lexicon().field(f"budget.lines[].{role}").headers
    ]
    year = r"(?:\d{4}\s*年度?)?"  # 2022年决算数 2023年预算数: the years say which is which
    change = r"(?:比上年|同比)?(?:增减|变动)(?:额|数|率|幅度|比例)?"  # 增减额 增减率 beside them
    return re.compile("|".join([*(f"(?:{year}{f})" for f in frags), change]))


def _glued_header(text: str, s: int, e: int) -> list[tuple[int, int]] | None:
    """Spans of a header line's name word and figure-column words, glued or spaced
    (序号项目名称预算数（元）决算数（元）); None unless the name comes first and a figure
    column follows."""
    line = text[s:e]
    if _DIGIT.search(_YEAR_WORD.sub("", line)):
        return None
    name = _name_words().search(line)
    if name is None:
        return None
    found = [
        (m.start(), m.end())
        for m in _column_words().finditer(line, name.end())
        if m.end() > m.start()
    ]
    rest = line
    for a, b in sorted([(name.start(), name.end()), *found], reverse=True):
        rest = rest[:a] + rest[b:]
    # Nothing else but a 序号 and units: a sentence naming a 项目 and its 预算 is no header.
    rest = re.sub(r"序号|[(（][^)）]*[)）]|\s", "", rest)
    if not found or len(rest) > _HEADER_LEFTOVER:
        return None
    return [(s + name.start(), s + name.end())] + [(s + a, s + b) for a, b in found]


_PERIODS = re.compile(r"\d{4}\s*年度?|(?:本|上|当|今|去)年度?")


def _covering(rx: re.Pattern[str], line: str) -> list[re.Match[str]] | None:
    """The matches of ``rx`` that take ``line`` whole, one after another (spaces aside)."""
    found, pos = [], 0
    for m in rx.finditer(line):
        if line[pos : m.start()].strip() or m.end() == m.start():
            return None
        found.append(m)
        pos = m.end()
    return found if found and not line[pos:].strip() else None


def _two_line_header(
    text: str, upper: tuple[int, int], lower: tuple[int, int]
) -> tuple[list[tuple[int, int]], list[str]] | None:
    """A glued header over two lines, its periods over the kinds they span (项目2023年2022年
    over 预算数决算数决算数): the name word's and the lower line's column words' spans, and
    each column's words as one line would name it (2023年预算数 …); else None."""
    s, e = upper
    name = _name_words().match(text, s, e)
    if name is None:  # most lines: the lower line is not read
        return None
    periods = _covering(_PERIODS, text[name.end() : e])
    kinds = _covering(_column_words(), text[slice(*lower)]) if periods else None
    if not periods or not kinds:
        return None
    words = stacked_words([name.group(), *(m.group() for m in periods)], [m.group() for m in kinds])
    if words is None:
        return None
    spans = [(name.start(), name.end())] + [
        (lower[0] + m.start(), lower[0] + m.end()) for m in kinds
    ]
    return spans, words


def split_figures(tail: str, start: int) -> list[tuple[int, int]] | None:
    """Spans of the figures of a row's tail: spaced tokens as they stand, glued ones split
    where a two-decimal part ends (507,900.00497,300.00); None when a token does not split."""
    out = []
    for m in _TOKEN.finditer(tail):
        token = m.group()
        if _SPACED_FIGURE.fullmatch(token):
            out.append((start + m.start(), start + m.end()))
        elif _GLUED_TAIL.fullmatch(token):
            out += [
                (start + m.start() + p.start(), start + m.start() + p.end())
                for p in _PIECE.finditer(token)
            ]
        else:
            return None
    return out


def _glued_row(text: str, s: int, e: int, n_figures: int) -> Row | None:
    """(name span, figure spans) of a row with ``n_figures`` figures after its name."""
    line = text[s:e]
    number = _ROW_NUMBER.match(line)
    a = s + (number.end() if number else 0)
    tail = FIGURES_TAIL.search(text, a, e)
    if tail is None:
        return None
    name = text[a : tail.start()].strip()
    bare = re.sub(r"^其中\s*[:：]", "", name)  # 其中：人员经费 is a row, 说明：… is not
    if not bare or len(name) > _MAX_LABEL or re.search(r"[，。；;:：]", bare):
        return None
    figures = split_figures(tail.group(), tail.start())
    if figures is None or len(figures) != n_figures:
        return None
    b = a + len(text[a : tail.start()].rstrip())
    return (a, b), figures


def _is_glued(text: str, row: Row) -> bool:
    (_, end), figures = row
    return (
        any(f[0] == g[1] for f, g in zip(figures[1:], figures, strict=False))
        or figures[0][0] == end
    )


def initial_as_budget(roles: dict[int, str]) -> dict[int, str]:
    return {c: "budget" if r == "initial_budget" else r for c, r in roles.items()}


def _rate_agrees(roles: dict[int, str], figures: list[str]) -> bool:
    """A glued row whose rate is its amount over its budget (within the rounding of the
    rate), or that states no rate, budget and amount together."""
    if "budget" not in roles.values():
        roles = initial_as_budget(roles)
    by_role = {r: figures[c - 1] for c, r in roles.items() if 0 < c <= len(figures)}
    if not {"budget", "final", "execution_rate"} <= by_role.keys():
        return bool(roles)
    try:
        budget, final = (float(by_role[k].replace(",", "")) for k in ("budget", "final"))
    except ValueError:  # 无 or — for one of them: no rate to check
        return True
    rate = by_role["execution_rate"].rstrip("%")
    decimals = len(rate.split(".")[1]) if "." in rate else 0
    if budget <= 0:
        return False
    return abs(final / budget * 100 - float(rate)) <= 0.5 * 10**-decimals + 0.01


def glued_blocks(
    g: Grounder,
    lines: list[Line],
    roles_of: Callable[[list[str]], dict[int, str]],
) -> list[GluedBlock]:
    """The tables under a header line naming their name column and figure columns whose
    rows split by the shape of their figures. A block is taken when a row is glued or the
    header names projects (项目名称); ``roles_of`` names the header words' columns (budget,
    final, execution_rate …); a row whose rate does not match its amounts ends the block."""
    text = g.doc.text
    lines = [line for line in lines if not text[line.span.start : line.span.end].isspace()]
    spans = [g.trim(line.span.start, line.span.end) for line in lines]
    out: list[GluedBlock] = []
    i = 0
    while i < len(spans):
        s, e = spans[i]
        # a header over two lines first: 项目本年度上年度 alone reads as one
        two = _two_line_header(text, (s, e), spans[i + 1]) if i + 1 < len(spans) else None
        header, words, below = (*two, i + 2) if two else (None, [], i + 1)
        if header is None and (header := _glued_header(text, s, e) if s < e else None):
            words = [text[a:b] for a, b in header]
        if header is None:
            i += 1
            continue
        roles = roles_of(words)
        rows: list[Row] = []
        j = below
        while j < len(spans):
            row = (
                _glued_row(text, *spans[j], len(header) - 1) if spans[j][0] < spans[j][1] else None
            )
            if row is None or not _rate_agrees(roles, [text[a:b] for a, b in row[1]]):
                break
            rows.append(row)
            j += 1
        glued = any(_is_glued(text, r) for r in rows)
        if rows and (glued or not re.fullmatch(r"项目", words[0])):
            unit = caption_unit(text, spans, i + 1)  # 项目名称 预算数 决算数（单位：元）
            m = UNIT_IN_HEADER.search(text[s:e])
            unit = (
                (m.group(1) if m else unit) or _note_unit(text, rows) or _unit_by_size(text, rows)
            )
            table = lines_table(text, len(out), lines[i].page, [(header[0], header[1:]), *rows])
            taken = {lines[k].span.start for k in range(i, j)}
            out.append(GluedBlock(table, words, unit, taken))
            i = j
        else:
            i += 1
    return out


def unglue_cells(text: str, table: Table) -> Table:
    """``table`` with a cell of glued figures (1,197.0095.00%) split into the cells its row
    lacks: only where the row then fills the table's columns exactly and the cell is the
    document's own text (its pieces keep their spans)."""
    by_row: dict[int, list[Cell]] = {}
    for cell in table.cells:
        by_row.setdefault(cell.row, []).append(cell)
    cells: list[Cell] = []
    changed = False
    for row in by_row.values():
        width = sum(c.col_span for c in row)
        split = None
        for k, cell in enumerate(row):
            a, b = cell.span.start, cell.span.end
            if cell.col_span != 1 or not _GLUED_TAIL.fullmatch(cell.text) or text[a:b] != cell.text:
                continue  # most cells: no figures glued (cut into pieces only if they are)
            pieces = list(_PIECE.finditer(cell.text))
            if width + len(pieces) - 1 == table.n_cols:
                spans = [(a + p.start(), a + p.end()) for p in pieces]
                # one figure, the whole cell (most figures of a full row): nothing to split
                split = None if spans == [(a, b)] else (k, spans)
        if split is None:
            cells += row
            continue
        changed = True
        k, spans = split
        shift = len(spans) - 1
        cells += row[:k]
        cells += [
            row[k].model_copy(
                update={"col": row[k].col + n, "text": text[a:b], "span": Span(start=a, end=b)}
            )
            for n, (a, b) in enumerate(spans)
        ]
        cells += [c.model_copy(update={"col": c.col + shift}) for c in row[k + 1 :]]
    return table.model_copy(update={"cells": cells}) if changed else table
