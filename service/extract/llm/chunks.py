"""What text each LLM call sees: the section tree routed to tasks, split under a budget.

Owns: routing sections to tasks by their titles (report metadata, budget figures,
achievements, problems/measures, the indicator table; sections of duties and internal
organisation are skipped), rendering tables as grids (cells joined by `` | ``, one row a
line) rather than flattened text, splitting the 绩效自评表 at its 一级指标 header (budget rows
above, indicator rows below), and packing pieces into chunks under a token budget, long
pieces split on paragraph boundaries. Every chunk remembers the document spans it shows,
which is where its quotes are looked for. Reads the section tree; must not call the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from service.document import Document, Table
from service.extract.sections import Section, build_sections

if TYPE_CHECKING:
    from service.extract.llm.focus import Place

TASKS = ("report", "budget", "indicators", "achievements", "lists")

_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")

# Title patterns, tried in this order; the first that matches decides the section's task
# (None = skip it). A section without a match inherits its parent's task.
_ROUTES: list[tuple[re.Pattern[str], str | None]] = [
    (re.compile(r"职能|内设机构|机构设置|机构情况"), None),
    (re.compile(r"说明|公开|应用|附件|附表"), None),
    (re.compile(r"存在的?问题|改进措施|整改措施|下一步|工作打算|意见建议"), "lists"),
    (re.compile(r"评价结论|评价结果|自评结果|综合评价|自评得分|自评情况"), "indicators"),
    (re.compile(r"工作开展|完成情况|成效|工作成果|主要工作|履职|产出|效益"), "achievements"),
    (re.compile(r"基本情况|人员|编制|单位概况|部门概况"), "report"),
    (re.compile(r"预算|支出|经费|收入|资金|决算|结转|结余|三公|资产|财务"), "budget"),
]


def estimate_tokens(text: str) -> int:
    """Tokens erring high: one per CJK character, one per 3.5 other characters."""
    cjk = len(_CJK.findall(text))
    return cjk + int((len(text) - cjk) / 3.5 + 0.999)


@dataclass
class Piece:
    task: str
    label: str
    text: str
    spans: list[tuple[int, int]]


@dataclass
class Chunk:
    """The input of one call. ``focus``: the places the rules possibly missed that this
    chunk shows (``focus.py``), which the call is told to look at."""

    task: str
    index: int
    label: str
    text: str
    spans: list[tuple[int, int]] = field(default_factory=list)
    focus: list[Place] = field(default_factory=list)

    @property
    def window(self) -> tuple[int, int]:
        return min(s for s, _ in self.spans), max(e for _, e in self.spans)


# Inside these, every subsection belongs to the parent's task: a measure titled 加强经费管理
# is still a measure, an achievement about 预案编制 still an achievement.
_STICKY = {"lists", "achievements"}


def route(title: str, inherited: str | None) -> str | None:
    if inherited in _STICKY:
        return inherited
    for pattern, task in _ROUTES:
        if pattern.search(title):
            return task
    return inherited


def _own_ranges(section: Section, doc: Document) -> list[tuple[int, int]]:
    """The section's text not covered by its children or by tables."""
    cuts = sorted([(c.span.start, c.span.end) for c in section.children])
    cuts += [(t.span.start, t.span.end) for t in doc.tables]
    cuts.sort()
    out, pos = [], section.span.start
    for start, end in cuts:
        if end <= pos or start >= section.span.end:
            continue
        if start > pos:
            out.append((pos, start))
        pos = max(pos, end)
    if pos < section.span.end:
        out.append((pos, section.span.end))
    return [(s, e) for s, e in out if doc.text[s:e].strip()]


def _prose_pieces(doc: Document, root: Section) -> list[Piece]:
    pieces: list[Piece] = []

    def visit(section: Section, inherited: str | None) -> None:
        task = route(section.title, inherited)
        if task is None and route(section.title, "-") is None:
            return  # explicitly skipped, children included
        if task is not None:
            for start, end in _own_ranges(section, doc):
                pieces.append(
                    Piece(task, section.label() or "封面", doc.text[start:end], [(start, end)])
                )
        for child in section.children:
            visit(child, task)

    # The text before the first heading (title, cover page) is report metadata; top-level
    # sections start with no task of their own.
    for start, end in _own_ranges(root, doc):
        pieces.append(Piece("report", "封面", doc.text[start:end], [(start, end)]))
    for child in root.children:
        visit(child, None)
    pieces.sort(key=lambda p: p.spans[0][0])
    return pieces


def grid_text(rows: list[list[str]]) -> str:
    return "\n".join(" | ".join(cell for cell in row).rstrip(" |") for row in rows if any(row))


def _table_pieces(doc: Document, budget: int) -> list[Piece]:
    """Each table as grid text; the 绩效自评表 split at its header row (budget rows above,
    indicator rows below); a table over ``budget`` tokens cut into row groups, the
    indicator header repeated on each."""
    pieces: list[Piece] = []
    for table in doc.tables:
        rows = table.grid()
        starts = _row_offsets(doc, table)
        split = _indicator_header(rows)
        groups = [("budget", 0, len(rows) if split is None else split)]
        if split is not None:
            groups.append(("indicators", split, len(rows)))
        label = f"表{table.index + 1}"
        for task, lo, hi in groups:
            header = rows[lo] if task == "indicators" else None
            pieces += _row_groups(task, label, rows, starts, (lo, hi), budget, header)
    return pieces


def _row_groups(
    task: str,
    label: str,
    rows: list[list[str]],
    starts: list[int],
    bounds: tuple[int, int],
    budget: int,
    header: list[str] | None,
) -> list[Piece]:
    out: list[Piece] = []
    lo, hi = bounds
    first = lo
    for i in range(lo, hi + 1):
        if i < hi and (i == first or estimate_tokens(grid_text(rows[first : i + 1])) <= budget):
            continue
        group = rows[first:i]
        if first > lo and header is not None:
            group = [header, *group]
        if any(any(cell for cell in row) for row in group):
            out.append(Piece(task, label, grid_text(group), [(starts[first], starts[i])]))
        first = i
    return out


def _indicator_header(rows: list[list[str]]) -> int | None:
    for i, row in enumerate(rows):
        joined = "".join(row)
        if "三级指标" in joined or ("一级指标" in joined and "二级指标" in joined):
            return i
    return None


def _row_offsets(doc: Document, table: Table) -> list[int]:
    """Start offset of each row of the table in the document text (rows end with \\n),
    and the table's end: ``n_rows + 1`` offsets."""
    starts, pos = [table.span.start], table.span.start
    text = doc.text
    for _ in range(table.n_rows - 1):
        nl = text.find("\n", pos, table.span.end)
        pos = table.span.end if nl == -1 else nl + 1
        starts.append(pos)
    return [*starts, table.span.end]


def _cut(text: str, pattern: str, budget: int) -> list[tuple[int, int]]:
    """[lo, hi) parts of ``text`` cut after ``pattern`` matches, each under ``budget``
    tokens where the cuts allow."""
    cuts = [m.end() for m in re.finditer(pattern, text)]
    if not cuts or cuts[-1] != len(text):
        cuts.append(len(text))
    parts, lo, prev = [], 0, 0
    for cut in cuts:
        if prev > lo and estimate_tokens(text[lo:cut]) > budget:
            parts.append((lo, prev))
            lo = prev
        prev = cut
    parts.append((lo, len(text)))
    return parts


def _split_paragraphs(piece: Piece, budget: int) -> list[Piece]:
    """A piece over ``budget`` tokens cut at paragraph ends; a paragraph still over the
    budget is cut at sentence ends (。)."""
    start = piece.spans[0][0]
    text = piece.text
    out: list[Piece] = []
    for lo, hi in _cut(text, r"\n", budget):
        subparts = [(lo, hi)]
        if estimate_tokens(text[lo:hi]) > budget:
            subparts = [(lo + a, lo + b) for a, b in _cut(text[lo:hi], "。", budget)]
        for a, b in subparts:
            if text[a:b].strip():
                out.append(Piece(piece.task, piece.label, text[a:b], [(start + a, start + b)]))
    return out


def plan_chunks(doc: Document, root: Section | None = None, budget: int = 6000) -> list[Chunk]:
    """The calls to make for ``doc``: chunks per task, in document order, each under
    ``budget`` tokens of document text (a single table row or sentence longer than that is
    kept whole)."""
    root = root or build_sections(doc)
    pieces = _prose_pieces(doc, root)
    if not {p.task for p in pieces} & {"budget", "achievements", "lists"}:
        pieces += _unrouted(doc, pieces)
    pieces += _table_pieces(doc, budget)
    chunks: list[Chunk] = []
    for task in TASKS:
        mine = sorted((p for p in pieces if p.task == task), key=lambda p: p.spans[0][0])
        expanded: list[Piece] = []
        for piece in mine:
            too_long = estimate_tokens(piece.text) > budget and not piece.label.startswith("表")
            expanded += _split_paragraphs(piece, budget) if too_long else [piece]
        current: Chunk | None = None
        for piece in expanded:
            block = f"【{piece.label}】\n{piece.text.strip()}"
            if current is not None and estimate_tokens(current.text + block) <= budget:
                current.text += "\n\n" + block
                current.spans += piece.spans
                continue
            current = Chunk(
                task,
                len([c for c in chunks if c.task == task]),
                piece.label,
                block,
                list(piece.spans),
            )
            chunks.append(current)
    # The cover and basic facts stand at the start: a report task longer than one call
    # means the headings were not recognised, and the rest went to the other tasks.
    first_report = next((c for c in chunks if c.task == "report"), None)
    return [c for c in chunks if c.task != "report" or c is first_report]


def _unrouted(doc: Document, pieces: list[Piece]) -> list[Piece]:
    """No heading told where the money, the achievements and the problems are (a flat
    export, an OCR'd page without numbering): those tasks read all the running text."""
    ranges = [span for p in pieces for span in p.spans]
    return [
        Piece(task, "全文", doc.text[start:end], [(start, end)])
        for task in ("budget", "achievements", "lists")
        for start, end in ranges
    ]
