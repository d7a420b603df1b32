"""The DOCX reader: body paragraphs and tables, in document order, → ``Document``.

Owns reading WordprocessingML through python-docx's XML: paragraph text, automatic list
numbers (rebuilt from ``numbering.xml`` for the common formats), deleted revisions and
hidden text left out. Tables become grids with exact merges (docx_tables.py reads them from
the ``w:tc`` elements, because python-docx's ``row.cells`` repeats a merged cell at every
grid position it covers); a layout table is opened into the tables and prose it frames, a
breakdown table inside a data cell is flattened into that cell's text, and a table Word
carries on as a second table is joined to its first part.

DOCX has no reliable page geometry: the whole body is one page with no size, and nothing
has a box. The text of the page headers and footers (页眉/页脚: often the only place a
unit names itself) is read once, before the body, each distinct line once, page numbers
left out. A footnote's or endnote's text (脚注/尾注: where a report puts its 注) is read as
lines right after the paragraph that refers to it. Text boxes are read where they are
anchored (docx_tables.py walks the blocks); comments and images are not read (a warning
counts the images). Password-protected Word files are OLE containers, which the
sniffer refuses before they get here. Must not touch the database, the web, or spans (the
builder writes them).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lxml import etree

from service.document import CellDraft, Document, DocumentBuilder, SourceInfo, TextSource
from service.errors import CorruptFileError, EmptyFileError, FileTooLargeError
from service.ingest.docx_tables import blocks, continued, int_attr, table_cells
from service.ingest.flat_tables import FlatTable, split_flat_tables
from service.ingest.reader import IngestOptions

if TYPE_CHECKING:
    from docx.document import Document as WordDocument

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
# The unpacked parts may be at most this many times the accepted upload size: a small
# archive that inflates to gigabytes of XML is a decompression bomb.
MAX_EXPANSION = 10


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


P = _w("p")
# Subtrees whose text is not the paragraph's own: deleted revisions, the fallback copy of
# alternate content (the choice is read), text boxes and embedded objects.
_SKIP = {
    _w("del"),
    _w("moveFrom"),
    _w("txbxContent"),
    _w("drawing"),
    _w("pict"),
    _w("object"),
    _w("pPr"),
    _w("rPr"),
    f"{{{MC_NS}}}Fallback",
}
_BREAKS = {_w("br"), _w("cr")}


def read_docx(data: bytes, source: SourceInfo, options: IngestOptions) -> Document:
    """Read a Word document. Raises ``CorruptFileError`` when it cannot be opened."""
    _check_expansion(data, options)
    document = _open(data)
    body = document.element.body
    if body is None:  # well-formed XML that is no Word document body
        raise CorruptFileError("word/document.xml has no document body (w:body)")
    numbering = Numbering.from_document(document)
    builder = DocumentBuilder(source)
    builder.start_page(text_source=TextSource.text_layer)
    running = _running_lines(document, numbering)
    for line in running:
        builder.add_line(line)
    if running:
        builder.add_blank()
    _read_body(builder, body, numbering, _notes(document))
    images = _count_images(body)
    if images:
        builder.warn(f"{images} image(s) in the document were not read (no OCR inside DOCX)")
    doc = builder.build()
    if not doc.text.strip():
        raise EmptyFileError(f"{source.filename or 'the document'} holds no text")
    return doc


_DRAWING_PICTURE = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_VML_PICTURE = "{urn:schemas-microsoft-com:vml}imagedata"


def _count_images(body: etree._Element) -> int:
    """Pictures in the body, each once: a drawing or VML shape holding an image (a text
    box is no picture; a picture's VML fallback copy is not counted again)."""
    count = 0
    for drawing in body.iter(_w("drawing"), _w("pict")):
        if any(a.tag == f"{{{MC_NS}}}Fallback" for a in drawing.iterancestors()):
            continue
        if drawing.find(f".//{_DRAWING_PICTURE}") is not None or (
            drawing.find(f".//{_VML_PICTURE}") is not None
        ):
            count += 1
    return count


# --- opening -------------------------------------------------------------------------------


def _check_expansion(data: bytes, options: IngestOptions) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CorruptFileError(f"not a readable ZIP archive: {exc}") from exc
    limit = MAX_EXPANSION * options.limits.max_bytes
    if unpacked > limit:
        raise FileTooLargeError(
            f"unpacks to {unpacked} bytes > {limit}", size=unpacked, limit=limit
        )


def _open(data: bytes) -> WordDocument:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return docx.Document(io.BytesIO(data))
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        KeyError,
        ValueError,
        etree.LxmlError,
        PackageNotFoundError,
    ) as exc:
        # Truncated archives, a broken or missing word/document.xml, bad content types.
        raise CorruptFileError(f"{type(exc).__name__}: {exc}") from exc


# A header or footer line that is only a page number: 第 3 页, - 3 -, 3/12, Page 3.
_PAGE_NUMBER = re.compile(
    r"\s*(?:第\s*\d*\s*页(?:\s*[,，/]?\s*共\s*\d*\s*页)?|[-—–]*\s*\d*\s*[-—–]*"
    r"|\d+\s*/\s*\d+|(?:page|Page|PAGE)\s*\d*(?:\s*of\s*\d*)?)\s*"
)


def _running_lines(document: WordDocument, numbering: Numbering) -> list[str]:
    """The distinct text lines of every section's headers and footers (default, first
    page, even pages), in order: a unit named only there is still read."""
    out: list[str] = []
    for section in document.sections:
        for part in (
            section.first_page_header,
            section.header,
            section.even_page_header,
            section.first_page_footer,
            section.footer,
            section.even_page_footer,
        ):
            try:
                if part.is_linked_to_previous:
                    continue
                element = part._element  # noqa: SLF001 (python-docx has no public XML handle)
            except KeyError:
                continue  # a header/footer relationship naming a part the package lacks
            for block in blocks(element):
                if block.tag != P:
                    continue  # a layout table in a header holds no statement we read
                for line in _paragraph_text(block, numbering).split("\n"):
                    line = line.strip()
                    if line and not _PAGE_NUMBER.fullmatch(line) and line not in out:
                        out.append(line)
    return out


_NOTE_REFS = {_w("footnoteReference"): "footnote", _w("endnoteReference"): "endnote"}


def _notes(document: WordDocument) -> dict[tuple[str, str], list[str]]:
    """(kind, id) → the text lines of each footnote and endnote (separators left out)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    out: dict[tuple[str, str], list[str]] = {}
    kinds = {RT.FOOTNOTES: "footnote", RT.ENDNOTES: "endnote"}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    for rel in document.part.rels.values():
        kind = kinds.get(rel.reltype)
        if kind is None or rel.is_external:
            continue
        try:
            root = etree.fromstring(rel.target_part.blob, parser)
        except (etree.LxmlError, ValueError, AttributeError):
            continue
        for note in root.findall(_w(kind)):
            if note.get(_w("type")) not in (None, "normal"):
                continue  # the separator lines Word draws above the notes
            lines: list[str] = []
            for p in note.iter(P):
                parts: list[str] = []
                _collect_text(p, parts)
                lines += [ln.strip() for ln in "".join(parts).split("\n") if ln.strip()]
            out[(kind, note.get(_w("id"), ""))] = lines
    return out


def _notes_of(p: etree._Element, notes: dict[tuple[str, str], list[str]]) -> list[str]:
    """The lines of the notes paragraph ``p`` refers to, in order."""
    out: list[str] = []
    for ref in p.iter(*_NOTE_REFS):
        out += notes.get((_NOTE_REFS[ref.tag], ref.get(_w("id"), "")), [])
    return out


# The only words between a table and its next part: 续表, （续表）, 续表1, 续上表.
_CONTINUED = re.compile(r"[(（]?续(?:上)?表\s*\d*[)）]?[:：]?")


def _read_body(
    builder: DocumentBuilder,
    body: etree._Element,
    numbering: Numbering,
    notes: dict[tuple[str, str], list[str]],
) -> None:
    """The body's blocks in order. A table is held back until the next text, so a table
    Word carries on as a second table (after a page break, blank lines or a 续表 line)
    joins it."""
    pending: list[str] = []  # paragraph lines waiting for flattened-table recognition
    held: list[CellDraft] | None = None

    def text_of(p: etree._Element) -> str:
        return _paragraph_text(p, numbering)

    for element in blocks(body):
        if element.tag == P:
            pending.extend(_paragraph_text(element, numbering).split("\n"))
            pending.extend(_notes_of(element, notes))
            continue
        cells = table_cells(element, text_of)
        between = [ln for ln in pending if ln.strip() and not _CONTINUED.fullmatch(ln.strip())]
        joined = None if between else continued(held or [], cells)
        if joined is not None:
            held = joined
            pending.clear()
            continue
        if held:
            builder.add_table(held)
        _flush(builder, pending)
        held = cells
    if held:
        builder.add_table(held)
    _flush(builder, pending)


def _flush(builder: DocumentBuilder, lines: list[str]) -> None:
    """Write pending paragraph lines; text pasted from a flattened export (cells on tabs)
    becomes a table exactly as in the plain-text reader."""
    for block in split_flat_tables(lines):
        if isinstance(block, FlatTable):
            builder.add_table(block.cells())
        elif block:
            builder.add_line(block)
        else:
            builder.add_blank()
    lines.clear()


# --- paragraphs ----------------------------------------------------------------------------


def _paragraph_text(p: etree._Element, numbering: Numbering) -> str:
    parts: list[str] = []
    _collect_text(p, parts)
    return numbering.label(p) + "".join(parts)


def _hidden(element: etree._Element) -> bool:
    """A run of hidden text (``w:vanish``): Word neither shows nor prints it."""
    if element.tag != _w("r"):
        return False
    vanish = element.find(f"{_w('rPr')}/{_w('vanish')}")
    return vanish is not None and vanish.get(_w("val"), "true") not in ("0", "false", "off")


def _collect_text(element: etree._Element, parts: list[str]) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP or _hidden(child):
            continue
        if tag == _w("t"):
            parts.append(child.text or "")
        elif tag == _w("tab"):
            parts.append("\t")
        elif tag in _BREAKS:
            parts.append("\n")
        elif tag in (_w("noBreakHyphen"), _w("softHyphen")):
            parts.append("-" if tag == _w("noBreakHyphen") else "")
        else:
            _collect_text(child, parts)


# --- automatic numbering -------------------------------------------------------------------

_CHINESE_DIGITS = "零一二三四五六七八九"
_LEGAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]  # fmt: skip


def _chinese(n: int, digits: str = _CHINESE_DIGITS) -> str:
    """一 … 九十九 (十一, not 一十一, as report headings are written); decimal beyond."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else digits[tens] + "十")
    return head + (digits[ones] if ones else "")


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _letters(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """One list counter in a ``w:numFmt`` format; unknown formats fall back to decimal."""
    simple = {
        "chineseCounting": lambda: _chinese(n),
        "chineseCountingThousand": lambda: _chinese(n),
        "japaneseCounting": lambda: _chinese(n),
        "ideographDigital": lambda: "".join("〇一二三四五六七八九"[int(d)] for d in str(n)),
        "chineseLegalSimplified": lambda: _chinese(n, _LEGAL_DIGITS).replace("十", "拾"),
        "ideographTraditional": lambda: _TIANGAN[n - 1] if 0 < n <= 10 else str(n),
        "decimalEnclosedCircle": lambda: _CIRCLED[n - 1] if 0 < n <= 20 else str(n),
        "decimalEnclosedCircleChinese": lambda: _CIRCLED[n - 1] if 0 < n <= 20 else str(n),
        "decimalZero": lambda: f"{n:02d}",
        "lowerLetter": lambda: _letters(n),
        "upperLetter": lambda: _letters(n).upper(),
        "lowerRoman": lambda: _roman(n),
        "upperRoman": lambda: _roman(n).upper(),
        "none": lambda: "",
    }
    make = simple.get(fmt)
    return make() if make else str(n)


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    # What Word puts between label and text: a tab (default), a space or nothing. Written
    # as a space, never a tab (a tab would read as a column break), so "1." never runs
    # into a number that starts the text ("1.53.5万元").
    suffix: str = " "


@dataclass
class Numbering:
    """Rebuilds the list labels Word draws from ``numbering.xml`` (``一、``, ``(1)``, ``1.``).

    python-docx gives the paragraph text without them. Counters run per list (``w:numId``)
    and a deeper level restarts whenever a shallower one advances; bullets and the rarer
    restart rules (``w:lvlRestart``, shared counters across lists) are not modelled.
    """

    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)  # numId → ilvl → level
    counters: dict[str, dict[int, int]] = field(default_factory=dict)
    style_num_pr: dict[str, etree._Element] = field(default_factory=dict)  # styleId → numPr

    @classmethod
    def from_document(cls, document: WordDocument) -> Numbering:
        try:
            root = document.part.numbering_part.element
            styles = document.styles.element
        except (KeyError, NotImplementedError, AttributeError):
            return cls()
        abstract = {a.get(_w("abstractNumId")): _levels(a) for a in root.findall(_w("abstractNum"))}
        levels: dict[str, dict[int, _Level]] = {}
        for num in root.findall(_w("num")):
            base = abstract.get(_w_val(num.find(_w("abstractNumId"))), {})
            merged = {i: _Level(lv.fmt, lv.text, lv.start, lv.suffix) for i, lv in base.items()}
            for override in num.findall(_w("lvlOverride")):
                ilvl = int(override.get(_w("ilvl"), "0"))
                start = override.find(_w("startOverride"))
                if start is not None and ilvl in merged:
                    merged[ilvl].start = int_attr(start, 1)
            levels[num.get(_w("numId"), "")] = merged
        return cls(levels=levels, style_num_pr=_style_num_prs(styles))

    def label(self, p: etree._Element) -> str:
        """The label Word would draw before paragraph ``p`` ('' for none); advances counters."""
        num_id, ilvl = self._num_pr(p)
        level = self.levels.get(num_id or "", {}).get(ilvl)
        if level is None or level.fmt == "bullet":
            return ""
        counts = self.counters.setdefault(num_id or "", {})
        counts[ilvl] = counts.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counts if k > ilvl]:
            del counts[deeper]

        def render(match: re.Match[str]) -> str:
            k = int(match.group(1)) - 1
            lv = self.levels[num_id or ""].get(k, _Level())
            n = counts.get(k, lv.start)
            return format_number(n, lv.fmt if k != ilvl else level.fmt)

        label = re.sub(r"%([1-9])", render, level.text)
        return label + level.suffix if label else ""

    def _num_pr(self, p: etree._Element) -> tuple[str | None, int]:
        """(numId, ilvl) set on the paragraph, or else inherited from its paragraph style."""
        num_pr = p.find(f"{_w('pPr')}/{_w('numPr')}")
        if num_pr is None:
            style_id = _w_val(p.find(f"{_w('pPr')}/{_w('pStyle')}"))
            num_pr = self.style_num_pr.get(style_id or "")
        if num_pr is None:
            return None, 0
        num_id = _w_val(num_pr.find(_w("numId")))
        if num_id in (None, "0"):  # numId 0 switches numbering off
            return None, 0
        return num_id, int_attr(num_pr.find(_w("ilvl")), 0)


def _w_val(element: etree._Element | None) -> str | None:
    return None if element is None else element.get(_w("val"))


def _levels(abstract: etree._Element) -> dict[int, _Level]:
    out: dict[int, _Level] = {}
    for lvl in abstract.findall(_w("lvl")):
        out[int(lvl.get(_w("ilvl"), "0"))] = _Level(
            fmt=_w_val(lvl.find(_w("numFmt"))) or "decimal",
            text=_w_val(lvl.find(_w("lvlText"))) or "",
            start=int_attr(lvl.find(_w("start")), 1),
            suffix="" if _w_val(lvl.find(_w("suff"))) == "nothing" else " ",
        )
    return out


def _style_num_prs(styles: etree._Element) -> dict[str, etree._Element]:
    """Each paragraph style's numbering, following ``w:basedOn`` to the style that sets it."""
    by_id = {st.get(_w("styleId")): st for st in styles.findall(_w("style"))}
    out: dict[str, etree._Element] = {}
    for style_id in by_id:
        seen: set[str] = set()
        current: str | None = style_id
        while current and current not in seen and current in by_id:
            seen.add(current)
            num_pr = by_id[current].find(f"{_w('pPr')}/{_w('numPr')}")
            if num_pr is not None:
                out[style_id] = num_pr
                break
            current = _w_val(by_id[current].find(_w("basedOn")))
    return out
