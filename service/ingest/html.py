"""The web-page reader: a saved 政府信息公开 article page → ``Document``.

Owns three steps. **Decoding**: a BOM, else UTF-8 when the bytes are valid UTF-8, else the
charset the page declares (``<meta charset>`` or ``http-equiv``; the GBK family read as
GB18030, as browsers do), else GB18030, else a detector's guess. **The article**:
readability-lxml finds the main content, so the site's navigation, breadcrumbs, share bar,
related links and footer stay out (our code never guesses at a site's markup; a
publication line inside the article's element is dropped by its words); the title comes
from the page's own ``ArticleTitle`` meta tag or its ``<h1>``. **Walking** the article: block elements and
``<br>`` end lines, tables become grids with ``rowspan``/``colspan`` placed as HTML places
them (nested tables flattened into their cell's text). The publication line's date and
source (and the government-site meta tags ``PubDate``/``ContentSource``) go into
``Document.metadata`` as ``published`` (ISO date) and ``publisher``.

A page has no geometry: one page with no size, nothing has a box; grounding is by span.
Must not touch the database, the web layer, or spans (the builder writes them).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from lxml import etree
from lxml import html as lxml_html

from service.document import (
    CellDraft,
    Document,
    DocumentBuilder,
    SourceFormat,
    SourceInfo,
    TextSource,
)
from service.errors import CorruptFileError, FileTooLargeError, NoArticleError
from service.ingest.flat_tables import FlatTable, join_wrapped, split_flat_tables
from service.ingest.reader import IngestOptions

# An article shorter than this (characters of text, blanks aside) is no report.
MIN_ARTICLE_CHARS = 80
# A page with more elements than this is refused before the main-content step, whose
# scoring walks the tree several times.
MAX_ELEMENTS = 200_000
MAX_SPAN = 1000  # a rowspan/colspan beyond this is a broken page, not a table

_GBK_FAMILY = {"gbk", "gb2312", "gb_2312-80", "x-gbk", "gb18030", "cp936", "euc-cn", "hz-gb-2312"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
_BLOCKS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "section",
        "article",
        "blockquote",
        "pre",
        "center",
        "header",
        "footer",
        "aside",
        "main",
        "form",
        "address",
        "figure",
        "figcaption",
        "caption",
        "tr",
        "hr",
    ]
)
_SKIP = frozenset({"script", "style", "noscript", "template", "iframe", "object", "svg"})
_DATE = re.compile(r"(20\d\d|19\d\d)\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
_PUB_DATE = re.compile(r"(?:发布|发表|公开|成文)(?:时间|日期)\s*[:：]?\s*" + _DATE.pattern)
_PUB_SOURCE = re.compile(r"(?:来源|信息来源|发布机构|发布单位)\s*[:：]\s*([^\s|｜　【\[]{2,40})")


def read_html(data: bytes, source: SourceInfo, options: IngestOptions) -> Document:
    """Read a web page. Raises ``NoArticleError`` when no article text is found."""
    text = decode_html(data)
    page = _parse(text)
    n_elements = sum(1 for _ in page.iter())
    if n_elements > MAX_ELEMENTS:
        raise FileTooLargeError(
            f"{n_elements} HTML elements > {MAX_ELEMENTS}", size=n_elements, limit=MAX_ELEMENTS
        )
    metadata = page_metadata(page)
    article = _article(text)
    builder = DocumentBuilder(source)
    builder.metadata.update(metadata)
    builder.start_page(text_source=TextSource.text_layer)
    blocks = list(walk(article))
    # the publication line, where the site put it inside the article's element
    blocks = [b for i, b in enumerate(blocks) if i > 4 or not _is_publication_line(b)]
    title = metadata.get("title")
    if title and not _starts_with(blocks, title):
        blocks.insert(0, title)
    pending: list[str] = []
    for block in blocks:
        if isinstance(block, str):
            pending.append(block)
            continue
        _flush(builder, pending)
        builder.add_table(block)
    _flush(builder, pending)
    doc = builder.build()
    body = re.sub(r"\s", "", doc.text.replace(title or "\0", ""))
    if len(body) < MIN_ARTICLE_CHARS:
        raise NoArticleError(
            f"{source.filename or 'the page'}: {len(body)} characters of article text"
        )
    return doc


def check_article(data: bytes, filename: str | None, options: IngestOptions) -> None:
    """Refuse at upload a page with no article (``NoArticleError``), or one too large or not
    parseable: the whole read, since finding the article is most of it (no OCR, a few
    hundred milliseconds for the largest report pages)."""
    source = SourceInfo(
        filename=filename,
        format=SourceFormat.html,
        media_type="text/html",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )
    read_html(data, source, options)


# --- decoding ------------------------------------------------------------------------------


def decode_html(data: bytes) -> str:
    """The page as text: BOM, valid UTF-8, the declared charset, GB18030, then a detector."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    # Bytes that are valid UTF-8 beyond ASCII are UTF-8 whatever the page declares: GBK text
    # almost never is, and pages re-saved by an editor keep their old GBK meta tag.
    candidates = ["utf-8"]
    declared = _CHARSET.search(data[:4096])
    if declared:
        label = declared.group(1).decode("ascii", errors="replace").lower()
        candidates.append("gb18030" if label in _GBK_FAMILY else label)
    candidates.append("gb18030")
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    import chardet  # readability-lxml's own dependency

    guess = chardet.detect(data[:65536]).get("encoding") or "gb18030"
    try:
        return data.decode(guess, errors="replace")
    except LookupError:
        return data.decode("gb18030", errors="replace")


def _parse(text: str) -> etree._Element:
    try:
        return lxml_html.document_fromstring(_strip_declaration(text))
    except (etree.ParserError, ValueError) as exc:
        raise CorruptFileError(f"not a readable web page: {exc}") from exc


def _strip_declaration(text: str) -> str:
    """lxml refuses a str that still carries an XML encoding declaration."""
    return re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)


# --- metadata and the article --------------------------------------------------------------


def page_metadata(page: etree._Element) -> dict[str, str]:
    """Title, publication date and source from the meta tags or the publication line."""
    meta = {
        (el.get("name") or "").lower(): (el.get("content") or "").strip()
        for el in page.iter("meta")
        if el.get("name")
    }
    out: dict[str, str] = {}
    h1 = next((_text(el) for el in page.iter("h1") if _text(el)), "")
    title = meta.get("articletitle") or h1
    if title:
        out["title"] = title
    visible = _text(page.find("body") if page.find("body") is not None else page)
    date = _DATE.search(meta.get("pubdate", "")) or _PUB_DATE.search(visible)
    if date:
        y, m, d = (int(g) for g in date.groups())
        out["published"] = f"{y:04d}-{m:02d}-{d:02d}"
    publisher = meta.get("contentsource")
    if not publisher:
        found = _PUB_SOURCE.search(visible)
        publisher = found.group(1) if found else None
    if publisher:
        out["publisher"] = publisher
    if meta.get("sitename"):
        out["site"] = meta["sitename"]
    return out


def _article(text: str) -> etree._Element:
    """The main content as readability-lxml finds it (an element holding the article)."""
    try:
        summary = _readable_class()(_strip_declaration(text)).summary(html_partial=True)
    except Exception as exc:  # readability raises its own Unparseable and lxml errors alike
        raise NoArticleError(f"no main content found: {type(exc).__name__}") from None
    if not summary.strip():
        raise NoArticleError("no main content found")
    return lxml_html.fragment_fromstring(summary, create_parent="div")


_VIEWS = re.compile(r"(?:浏览|阅读|点击|访问)(?:次数|量)?\s*[:：]\s*\d")


def _is_publication_line(block: str | list[CellDraft]) -> bool:
    """发布时间：… 来源：… 浏览次数：… — a short line giving the date or the count of views."""
    if not isinstance(block, str) or len(block) > 120:
        return False
    return bool(_PUB_DATE.search(block) or _VIEWS.search(block))


def _readable_class() -> type:
    """readability-lxml's ``Document`` that keeps every table of the article whole.

    Its clean-up drops a table (or a ``div`` inside a cell) with little text or few commas:
    right for a blog's layout tables, wrong for a report whose small 三公 table of bare
    figures is the point. Its own hook for elements to keep is used to keep them."""
    from readability import Document as Readable

    class KeepTables(Readable):  # type: ignore[misc]
        def get_preserved_elements(self, node: etree._Element) -> dict[etree._Element, bool]:
            allowed = super().get_preserved_elements(node)
            for table in node.iter("table"):
                allowed.update(dict.fromkeys(table.iter(), True))
            return allowed

    return KeepTables


def _starts_with(blocks: list[str | list[CellDraft]], title: str) -> bool:
    head = "".join(b for b in blocks[:3] if isinstance(b, str))
    return re.sub(r"\s", "", title) in re.sub(r"\s", "", head)


# --- walking the article -------------------------------------------------------------------


def walk(root: etree._Element) -> Iterator[str | list[CellDraft]]:
    """Lines of text and tables (as cell drafts), in document order."""
    walker = _Walker()
    yield from walker.visit(root)
    yield from walker.flush()


class _Walker:
    """Inline text gathers into the current line; a block element, ``<br>`` or a table ends
    it."""

    def __init__(self) -> None:
        self.line: list[str] = []

    def flush(self) -> Iterator[str]:
        text = "".join(self.line).strip()
        self.line.clear()
        if text:
            yield text

    def visit(self, el: etree._Element) -> Iterator[str | list[CellDraft]]:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "table":
            yield from self.flush()
            caption = el.find("caption")
            if caption is not None and _text(caption):
                yield _text(caption)  # a table's title (…自评表) stands above it
            cells = table_cells(el)
            if cells:
                yield cells
        elif tag == "br":
            yield from self.flush()
        elif tag and tag not in _SKIP:  # scripts, styles, comments: only their tail is text
            yield from self.visit_children(el, block=tag in _BLOCKS)
        if el.tail:
            self.line.append(_squash(el.tail))

    def visit_children(self, el: etree._Element, block: bool) -> Iterator[str | list[CellDraft]]:
        if block:
            yield from self.flush()
        if el.text:
            self.line.append(_squash(el.text))
        for child in el:
            yield from self.visit(child)
        if block:
            yield from self.flush()


def table_cells(table: etree._Element) -> list[CellDraft]:
    """A ``<table>`` as a grid: each cell once at its top-left, placed as HTML places cells
    (skipping positions a ``rowspan`` from above still covers)."""
    rows = table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
    covered: set[tuple[int, int]] = set()
    drafts: list[CellDraft] = []
    for r, tr in enumerate(rows):
        col = 0
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            while (r, col) in covered:
                col += 1
            row_span = _span(td.get("rowspan"), len(rows) - r)
            col_span = _span(td.get("colspan"), MAX_SPAN)
            for dr in range(row_span):
                for dc in range(col_span):
                    covered.add((r + dr, col + dc))
            drafts.append(
                CellDraft(row=r, col=col, row_span=row_span, col_span=col_span, text=_cell(td))
            )
            col += col_span
    return drafts


def _span(value: str | None, most: int) -> int:
    try:
        n = int((value or "1").strip())
    except ValueError:
        return 1
    if n == 0:  # rowspan="0": to the end of the table
        return max(most, 1)
    return max(1, min(n, most, MAX_SPAN))


def _cell(td: etree._Element) -> str:
    """A cell's lines glued as wrapped lines are; a nested table's cells kept apart."""
    text = ""
    for block in walk(td):
        if isinstance(block, str):
            text = join_wrapped(text, block)
        else:
            nested = " ".join(d.text for d in block if d.text.strip())
            text = f"{text} {nested}".strip()
    return text


def _squash(text: str) -> str:
    """HTML whitespace: runs of blanks and newlines are one space (a no-break space too)."""
    return re.sub(r"[ \t\r\n\f\u00a0]+", " ", text)


def _text(el: etree._Element | None) -> str:
    return "" if el is None else _squash(el.text_content()).strip()


def _flush(builder: DocumentBuilder, lines: list[str]) -> None:
    """Write pending lines; text pasted as tab-separated rows becomes a table, as in the
    plain-text reader."""
    for block in split_flat_tables(lines):
        if isinstance(block, FlatTable):
            builder.add_table(block.cells())
        elif block:
            builder.add_line(block)
        else:
            builder.add_blank()
    lines.clear()
