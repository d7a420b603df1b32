"""Turn the seed reports (plain-text exports of two real reports) into ``ReportSpec``s, so
they can be rendered to every input format.

Owns the seed folder lookup and the reading of a text export back into headings,
paragraphs and tables. The tables come from the plain-text reader
(``service.ingest.read_document``); the prose keeps the export's own characters
(full-width punctuation), which the reader normalises away, by matching each of the
reader's lines back to its raw line. Never writes to the seed folder.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from service.document import Document
from service.ingest import read_document
from service.synth.spec import Block, Heading, PageBreak, Paragraph, ReportSpec, TableBlock

SEEDS_ENV = "JIXIAO_SEEDS_DIR"
SEED_FILES = ("000_de21ebe0f04bc952.txt", "002_8a698bcfafd5a356.txt")

_CN_NUM = "一二三四五六七八九十"
# (level, pattern) on the NFKC form of a line; first match wins.
_HEADINGS: list[tuple[int, re.Pattern[str]]] = [
    (1, re.compile(rf"^[{_CN_NUM}]+、")),
    (1, re.compile(r"^\d{1,2}、\s+\S")),  # "4、 国有资本…": an export's stray numbering for 四、
    (2, re.compile(rf"^\([{_CN_NUM}]+\)")),
    (3, re.compile(r"^\d{1,2}[.、](?!\d)")),
    (4, re.compile(r"^\(\d{1,2}\)")),
]
_SENTENCE_END = tuple("。;:!?”」)")
_ATTACHMENT = re.compile(r"^附件\s*\d+$")


def find_seeds_dir(repo: Path | None = None) -> Path:
    """The folder holding the seed texts: ``$JIXIAO_SEEDS_DIR``, else the checked copies in
    ``eval/set/seeds`` (a clone needs nothing beside it)."""
    root = repo or Path(__file__).resolve().parents[2]
    candidates: list[Path] = []
    if os.environ.get(SEEDS_ENV):
        candidates.append(Path(os.environ[SEEDS_ENV]))
    candidates.append(root / "eval" / "set" / "seeds")
    for path in candidates:
        if path.is_dir() and any(path.glob("*.txt")):
            return path
    tried = ", ".join(str(p) for p in candidates)
    raise FileNotFoundError(
        f"seed reports not found (tried {tried}): set {SEEDS_ENV} to the folder of the seed *.txt"
    )


def seed_paths(seeds_dir: Path | None = None) -> list[Path]:
    folder = seeds_dir or find_seeds_dir()
    return sorted(p for p in folder.glob("*.txt") if p.is_file())


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _heading_level(line: str) -> int | None:
    norm = unicodedata.normalize("NFKC", line).strip()
    if len(norm) > 32 or (norm.count("。") > 1) or ("。" in norm[:-1]):
        return None
    for level, pattern in _HEADINGS:
        if pattern.match(norm):
            # a numbered list item ending in a full stop is a sentence, not a heading,
            # unless it is a first- or second-level heading ("（一）综合评价结论。")
            if level >= 3 and norm.endswith("。"):
                return None
            return level
    return None


def _raw_lines(doc: Document, raw_text: str) -> list[str]:
    """For each of the reader's lines, the raw line it came from (its NFKC form when the
    raw line cannot be found)."""
    raw = [ln.strip() for ln in raw_text.splitlines()]
    keys = [_key(r) for r in raw]
    out: list[str] = []
    i = 0
    for line in doc.lines:
        want = _key(doc.slice(line.span))
        j = next((k for k in range(i, len(raw)) if keys[k] == want), None)
        if j is None:
            out.append(doc.slice(line.span))
        else:
            out.append(raw[j])
            i = j + 1
    return out


def _raw_cells(raw_text: str) -> dict[str, str]:
    """NFKC cell text → the export's own text, for cells that stand alone on a line or
    between tabs."""
    pieces: dict[str, str] = {}
    for line in raw_text.splitlines():
        for piece in line.split("\t"):
            piece = piece.strip()
            if piece:
                pieces.setdefault(re.sub(r"\s+", " ", unicodedata.normalize("NFKC", piece)), piece)
    return pieces


def _is_continuation(prev: Block | None, line: str) -> bool:
    """A line cut off by a page break or a hard wrap in the export ("…应急管理工" / "作。")."""
    if isinstance(prev, Heading):
        if prev.level < 3:
            return False
    elif not isinstance(prev, Paragraph) or prev.align != "left":
        return False
    if len(prev.text) < 28 or prev.text.endswith(_SENTENCE_END) or prev.text.endswith("。"):
        return False
    norm = unicodedata.normalize("NFKC", line)
    return not any(p.match(norm) for _, p in _HEADINGS) and not norm.startswith("-")


def _title(lines: list[str]) -> tuple[str, int]:
    """The title and how many lines it takes (a long title is often cut in two)."""
    title = lines[0]
    if (
        len(lines) > 1
        and not title.endswith("报告")
        and len(lines[1]) <= 25
        and (title + lines[1]).endswith("报告")
    ):
        return title + lines[1], 2
    return title, 1


def seed_spec(path: Path) -> ReportSpec:
    """The seed at ``path`` as a spec: numbered headings, paragraphs, the tables as grids."""
    data = path.read_bytes()
    raw_text = data.decode("utf-8-sig")
    doc = read_document(data, path.name)
    lines = _raw_lines(doc, raw_text)
    cells = _raw_cells(raw_text)
    title, used = _title(lines)
    items: list[tuple[int, object]] = [(ln.span.start, i) for i, ln in enumerate(doc.lines)]
    items += [(t.span.start, t) for t in doc.tables]
    items.sort(key=lambda it: it[0])

    blocks: list[Block] = []
    for _, item in items:
        if isinstance(item, int):
            if item < used:
                continue
            _add_line(blocks, lines[item])
            continue
        grid = [[cells.get(c, c) for c in row] for row in item.grid()]  # type: ignore[attr-defined]
        _caption_before_table(blocks)
        blocks.append(TableBlock.from_grid(grid, header_rows=0))
    return ReportSpec(title=title, blocks=blocks)


def _add_line(blocks: list[Block], line: str) -> None:
    prev = blocks[-1] if blocks else None
    if _is_continuation(prev, line):
        assert isinstance(prev, Paragraph | Heading)
        # a "heading" that runs on to the next line was the start of a numbered sentence
        if isinstance(prev, Paragraph):
            blocks[-1] = prev.model_copy(update={"text": prev.text + line})
        else:
            blocks[-1] = Paragraph(text=prev.text + line)
        return
    if _ATTACHMENT.match(unicodedata.normalize("NFKC", line)):
        # attachments start on a page of their own, as in the printed reports
        blocks.append(PageBreak())
        blocks.append(Paragraph(text=line, indent=False, bold=True))
        return
    level = _heading_level(line)
    if level is not None:
        blocks.append(Heading(level=level, text=line))
        return
    blocks.append(Paragraph(text=line, indent=not line.startswith("-")))
    if unicodedata.normalize("NFKC", line).startswith("报告日期"):
        blocks.append(PageBreak())  # the cover page ends with the report date


def _caption_before_table(blocks: list[Block]) -> None:
    """A short line just above a table is its caption: centred and bold."""
    if not blocks:
        return
    prev = blocks[-1]
    if isinstance(prev, Paragraph) and len(prev.text) <= 40 and not prev.text.endswith("。"):
        blocks[-1] = prev.model_copy(update={"align": "center", "bold": True, "indent": False})


def seed_specs(seeds_dir: Path | None = None) -> dict[str, ReportSpec]:
    """Every seed in the folder, by file stem."""
    return {p.stem: seed_spec(p) for p in seed_paths(seeds_dir)}
