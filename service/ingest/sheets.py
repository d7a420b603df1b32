"""The spreadsheet reader: Excel workbooks (.xlsx with openpyxl, legacy .xls and WPS .et
with xlrd; OpenDocument .ods, and an .et xlrd cannot read, converted to .xlsx by LibreOffice
first) → ``Document``.

Owns turning each visible sheet into a page: its cells as typed values (a number stays the
number Excel stores; the text written into the document is what Excel displays for it under
the cell's number format, ``0.9729`` under ``0.00%`` → ``97.29%``, kept as the cell's raw
text), merged areas as row/column spans, and each cell's address (``自评表!C5``) as its
locator (``Cell.ref``, ``Line.ref`` for a cell read as a line). A sheet is cut into blocks at
empty rows; a block of single cells (a title, a note, a sheet of prose) is read as lines, a
block's leading title row and trailing note rows too, the rest as a table — so a 自评表 sheet
reads like the same table in a Word file.

Limits: the unpacked .xlsx parts are bounded like a DOCX's (a decompression bomb), cells at
most ``MAX_CELLS``, sheets at most the page limit. A password-protected .xlsx is an OLE file
the sniffer refuses; an encrypted .xls is refused here. Must not touch the database, the web,
or spans (the builder writes them).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from service.document import CellDraft, Document, DocumentBuilder, SourceFormat, SourceInfo
from service.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedFileError,
    FileTooLargeError,
    TooManyPagesError,
)
from service.ingest.reader import IngestOptions

MAX_CELLS = 1_000_000  # non-empty cells in a workbook; a 自评表 has a few hundred
MAX_EXPANSION = 10  # unpacked parts at most this many times the upload limit (as DOCX)
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]+\d+)(?::([A-Z]+\d+))?\"")
_ADDRESS = re.compile(r"([A-Z]+)(\d+)")
# a formula whose cell holds no saved value: <f>…</f> then no <v>, or an empty one
_UNSAVED = re.compile(
    rb"(?:</(?:\w+:)?f>|<(?:\w+:)?f\b[^>]*/>)\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?"
    rb"\s*</(?:\w+:)?c>"
)


@dataclass
class SheetCell:
    text: str  # what Excel displays
    value: float | None  # the stored number, for numeric cells


@dataclass
class Sheet:
    """One sheet as read: non-empty cells by (row, col), 1-based, and merged areas."""

    name: str
    cells: dict[tuple[int, int], SheetCell] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1
    unsaved_formulas: int = 0  # formula cells the program that saved the file left empty


def read_workbook(data: bytes, source: SourceInfo, options: IngestOptions) -> Document:
    """Read an .xlsx, .xls, .et or .ods workbook. Raises ``CorruptFileError``,
    ``EncryptedFileError``, and for a conversion LibreOffice's errors (``legacy_word``)."""
    sheets, hidden, converted = _open_sheets(data, source, options)
    if len(sheets) > options.limits.max_pages:
        raise TooManyPagesError(
            f"{len(sheets)} sheets > {options.limits.max_pages}",
            pages=len(sheets),
            limit=options.limits.max_pages,
        )
    builder = DocumentBuilder(source)
    builder.metadata["sheets"] = json.dumps([s.name for s in sheets], ensure_ascii=False)
    for sheet in sheets:
        builder.start_page()
        write_sheet(builder, sheet)
    if hidden:
        builder.warn(f"hidden sheet(s) not read: {', '.join(hidden)}")
    if converted:
        builder.warn(f"converted from {source.format.value} to XLSX by LibreOffice before reading")
    unsaved = {s.name: s.unsaved_formulas for s in sheets if s.unsaved_formulas}
    if unsaved:
        where = ", ".join(f"{name} {n}" for name, n in unsaved.items())
        builder.warn(
            f"formula cells without a saved value read as empty ({where}): open and save the "
            "workbook in Excel or WPS to keep their results"
        )
    doc = builder.build()
    if not doc.text.strip():
        raise EmptyFileError(f"{source.filename or 'the workbook'} holds no text")
    return doc


# --- opening ------------------------------------------------------------------------------


def _open_sheets(
    data: bytes, source: SourceInfo, options: IngestOptions
) -> tuple[list[Sheet], list[str], bool]:
    """(sheets, hidden sheet names, whether LibreOffice converted the file). An .ods is
    converted to .xlsx; a WPS .et is an Excel 97 (BIFF8) file read as .xls, converted only
    when xlrd cannot read it (records of WPS's own). The conversion is cached by sha256."""
    if source.format is SourceFormat.ods:
        check_ods(data, options)
        return (*_read_xlsx(_to_xlsx(data, ".ods", source, options)), True)
    if source.format in (SourceFormat.xls, SourceFormat.et):
        try:
            return (*_read_xls(data), False)
        except CorruptFileError:
            if source.format is not SourceFormat.et:
                raise
        return (*_read_xlsx(_to_xlsx(data, ".et", source, options)), True)
    check_zip_expansion(data, options)
    return (*_read_xlsx(data), False)


def check_ods(data: bytes, options: IngestOptions) -> None:
    """Refuse before LibreOffice runs an .ods that unpacks too far or whose ``content.xml``
    is missing or is not well-formed XML (parsed without entities or network)."""
    from lxml import etree

    check_zip_expansion(data, options)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            content = zf.read("content.xml")
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        etree.fromstring(content, parser)
    except KeyError:
        raise CorruptFileError("an .ods archive without content.xml") from None
    except (zipfile.BadZipFile, OSError, ValueError, etree.XMLSyntaxError) as exc:
        raise CorruptFileError(f"a damaged .ods: {type(exc).__name__}: {exc}") from None


def _to_xlsx(data: bytes, suffix: str, source: SourceInfo, options: IngestOptions) -> bytes:
    from service.ingest.legacy_word import XLSX, convert

    converted = convert(data, suffix, XLSX, options.convert, source.sha256)
    check_zip_expansion(converted, options)
    return converted


def check_zip_expansion(data: bytes, options: IngestOptions) -> None:
    """Refuse an archive whose parts unpack to more than ``MAX_EXPANSION`` × the upload
    limit (the sizes its directory declares; a lying directory fails on reading)."""
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


def _read_xlsx(data: bytes) -> tuple[list[Sheet], list[str]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # openpyxl raises zip, XML, key and its own errors alike
        raise CorruptFileError(f"not a readable Excel workbook: {type(exc).__name__}") from None
    sheets: list[Sheet] = []
    hidden: list[str] = []
    count = 0
    try:
        for ws in book.worksheets:
            if ws.sheet_state != "visible":
                hidden.append(ws.title)
                continue
            sheet = Sheet(ws.title)
            ws.reset_dimensions()  # a stated dimension of A1:XFD1048576 pads nothing
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value is None or not hasattr(cell, "row"):
                        continue
                    text = display(cell.value, cell.number_format)
                    if text.strip():
                        count = _count(count)
                        sheet.cells[(cell.row, cell.column)] = SheetCell(text, _number(cell.value))
            path = getattr(ws, "_worksheet_path", None)
            if path:
                xml = archive.read(path)
                sheet.merges = _xlsx_merges(xml)
                sheet.unsaved_formulas = len(_UNSAVED.findall(xml))
            sheets.append(sheet)
    except (FileTooLargeError, EmptyFileError):
        raise
    except Exception as exc:
        raise CorruptFileError(f"a damaged Excel sheet: {type(exc).__name__}: {exc}") from None
    finally:
        book.close()
    return sheets, hidden


def _xlsx_merges(xml: bytes) -> list[tuple[int, int, int, int]]:
    out = []
    for first, last in _MERGE.findall(xml):
        r0, c0 = _address(first.decode())
        r1, c1 = _address((last or first).decode())
        out.append((r0, c0, r1, c1))
    return out


def _read_xls(data: bytes) -> tuple[list[Sheet], list[str]]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise EncryptedFileError("a password-protected .xls workbook") from None
        raise CorruptFileError(f"not a readable .xls workbook: {exc}") from None
    except Exception as exc:  # xlrd raises struct, index and assertion errors on damage
        raise CorruptFileError(f"not a readable .xls workbook: {type(exc).__name__}") from None
    sheets: list[Sheet] = []
    hidden: list[str] = []
    count = 0
    try:
        for index in range(book.nsheets):
            ws = book.sheet_by_index(index)
            if ws.visibility:
                hidden.append(ws.name)
                continue
            sheet = Sheet(ws.name)
            for r in range(ws.nrows):
                for c, cell in enumerate(ws.row(r)):
                    text, value = _xls_cell(book, cell)
                    if text.strip():
                        count = _count(count)
                        sheet.cells[(r + 1, c + 1)] = SheetCell(text, value)
            sheet.merges = [(r0 + 1, c0 + 1, r1, c1) for r0, r1, c0, c1 in ws.merged_cells]
            sheets.append(sheet)
    except FileTooLargeError:
        raise
    except Exception as exc:
        raise CorruptFileError(f"a damaged .xls sheet: {type(exc).__name__}: {exc}") from None
    finally:
        book.release_resources()
    return sheets, hidden


def _xls_cell(book: object, cell: object) -> tuple[str, float | None]:
    import xlrd

    kind, value = cell.ctype, cell.value  # type: ignore[attr-defined]
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return "", None
    if kind == xlrd.XL_CELL_TEXT:
        return str(value), None
    if kind == xlrd.XL_CELL_BOOLEAN:
        return ("TRUE" if value else "FALSE"), None
    xf = book.xf_list[cell.xf_index]  # type: ignore[attr-defined]
    fmt = book.format_map[xf.format_key].format_str  # type: ignore[attr-defined]
    if kind == xlrd.XL_CELL_DATE:
        moment = xlrd.xldate_as_datetime(value, book.datemode)  # type: ignore[attr-defined]
        return display(moment, fmt), None
    return display(float(value), fmt), float(value)


def _count(count: int) -> int:
    if count + 1 > MAX_CELLS:
        raise FileTooLargeError(f"more than {MAX_CELLS} cells", size=count + 1, limit=MAX_CELLS)
    return count + 1


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    return float(value) if isinstance(value, int | float) else None


# --- what Excel displays -------------------------------------------------------------------

_QUOTED = re.compile(r'"([^"]*)"')
_NOISE = re.compile(r"\[[^\]]*\]|\\.|_.|\*.")  # colours/conditions, escapes, padding


def display(value: object, number_format: str | None) -> str:
    """The text Excel shows for ``value`` under ``number_format``, for the formats reports
    use: General, fixed decimals, thousands separators, percentages, literal units
    (``0.00"万元"``) and dates (``yyyy"年"m"月"d"日"`` or ISO)."""
    fmt = (number_format or "General").split(";")[0]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime | dt.date):
        return _date_text(value, fmt)
    if not isinstance(value, int | float):
        return str(value)
    literal = "".join(_QUOTED.findall(fmt))
    pattern = _NOISE.sub("", _QUOTED.sub("", fmt))
    if "General" in pattern or not re.search(r"[0#?]", pattern):
        return _general(value) + literal
    decimals = len(re.search(r"(?:\.([0#?]*))?[^.]*$", pattern).group(1) or "")
    if "%" in pattern:
        return f"{value * 100:.{decimals}f}%{literal}"
    sep = "," if "," in pattern else ""
    return f"{value:{sep}.{decimals}f}{literal}"


def _general(value: float) -> str:
    """Excel's General: an integral value without decimals, others to 15 significant digits
    (so binary noise such as 0.30000000000000004 shows as 0.3), never in exponent form."""
    if float(value).is_integer():
        return str(int(value))
    text = f"{value:.15g}"
    if "e" in text:
        text = f"{value:.15f}".rstrip("0").rstrip(".")
    return text


def _date_text(value: dt.date, fmt: str) -> str:
    day = value.date() if isinstance(value, dt.datetime) else value
    if "年" in fmt:
        return f"{day.year}年{day.month}月{day.day}日"
    if isinstance(value, dt.datetime) and value.time() != dt.time(0):
        return value.isoformat(sep=" ", timespec="minutes")
    return day.isoformat()


# --- sheets into the document --------------------------------------------------------------


def write_sheet(builder: DocumentBuilder, sheet: Sheet) -> None:
    """Blocks of rows (cut at empty rows) as lines or a table, in order."""
    for rows in _blocks(sheet):
        lines_before, table_rows, lines_after = _split_captions(sheet, rows)
        for r in lines_before:
            _line(builder, sheet, r)
        if table_rows:
            builder.add_table(_drafts(sheet, table_rows))
        for r in lines_after:
            _line(builder, sheet, r)
        builder.add_blank()


def _blocks(sheet: Sheet) -> Iterator[list[int]]:
    """Runs of rows holding text (a merged area's rows count as one run)."""
    filled = {r for r, _ in sheet.cells}
    for r0, c0, r1, _ in sheet.merges:
        if (r0, c0) in sheet.cells:
            filled.update(range(r0, r1 + 1))
    run: list[int] = []
    for r in sorted(filled):
        if run and r != run[-1] + 1:
            yield run
            run = []
        run.append(r)
    if run:
        yield run


def _row_cells(sheet: Sheet, r: int) -> list[int]:
    return sorted(c for (row, c) in sheet.cells if row == r)


def _split_captions(sheet: Sheet, rows: list[int]) -> tuple[list[int], list[int], list[int]]:
    """(title lines, table rows, note lines): a row holding one cell before or after the
    table rows is a caption or a note, not a table row; a block of such rows is prose."""
    widths = {r: len(_row_cells(sheet, r)) for r in rows}
    if all(w <= 1 for w in widths.values()):
        return rows, [], []
    first = next(i for i, r in enumerate(rows) if widths[r] > 1)
    last = max(i for i, r in enumerate(rows) if widths[r] > 1)
    return rows[:first], rows[first : last + 1], rows[last + 1 :]


def _line(builder: DocumentBuilder, sheet: Sheet, r: int) -> None:
    for c in _row_cells(sheet, r):
        builder.add_line(sheet.cells[(r, c)].text, ref=cell_ref(sheet.name, r, c))


def _drafts(sheet: Sheet, rows: list[int]) -> list[CellDraft]:
    """The table's cells, placed from its first row and first used column."""
    top, bottom = rows[0], rows[-1]
    cols = [c for (r, c) in sheet.cells if top <= r <= bottom]
    left, right = min(cols), max(cols)
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    for r0, c0, r1, c1 in sheet.merges:
        if top <= r0 <= bottom and left <= c0 <= right:
            spans[(r0, c0)] = (min(r1, bottom) - r0 + 1, min(c1, right) - c0 + 1)
    drafts = []
    for (r, c), cell in sorted(sheet.cells.items()):
        if not (top <= r <= bottom and left <= c <= right):
            continue
        row_span, col_span = spans.get((r, c), (1, 1))
        drafts.append(
            CellDraft(
                row=r - top,
                col=c - left,
                row_span=row_span,
                col_span=col_span,
                text=cell.text,
                ref=cell_ref(sheet.name, r, c),
                value=cell.value,
            )
        )
    return drafts


def cell_ref(sheet: str, row: int, col: int) -> str:
    """``自评表!C5``; a sheet name with blanks or punctuation quoted as Excel does."""
    name = sheet if re.fullmatch(r"\w+", sheet) else "'" + sheet.replace("'", "''") + "'"
    return f"{name}!{column_letter(col)}{row}"


def column_letter(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _address(text: str) -> tuple[int, int]:
    match = _ADDRESS.fullmatch(text)
    if match is None:
        raise CorruptFileError(f"a bad cell address in a merge: {text!r}")
    col = 0
    for ch in match.group(1):
        col = col * 26 + ord(ch) - 64
    return int(match.group(2)), col
