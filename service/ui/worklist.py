"""The documents list as a work queue: what a list's URL asks for (filters, sort, page),
the figures as finance staff read them, formats in words, failures in plain words, and the
review page's way back to its list and on to the next document.

Owns the reading of the list's query (the same for the list and for the review page,
which carries it as ``?list=…`` so 保存并下一份 follows the list the reviewer came from).
The queries themselves are ``service.store.worklist``'s. Must not import the UI's routes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from sqlmodel import Session

from service.records import figures
from service.store import documents as repo
from service.store import review as review_store
from service.store import worklist as store
from service.store.tables import StoredDocument
from service.ui.i18n import translator

FILTER_KEYS = ("status", "department", "year", "findings", "approved", "review", "filename")
LIST_KEYS = (*FILTER_KEYS, "sort", "dir")
_REVIEW_STATES = frozenset(s.value for s in review_store.ReviewState)
_STATUSES = ("queued", "processing", "done", "failed")
# columns that read best largest first when first clicked (figures, dates)
DESCENDING_FIRST = frozenset({"expenditure", "score", "rate", "findings", "uploaded"})
IMAGE_FORMATS = frozenset({"png", "jpeg", "tiff"})


@dataclass
class ListQuery:
    """A list as its URL asks for it: filters, sort, direction and page."""

    filters: repo.DocumentFilters
    shown: dict[str, str]  # the query's values as the form shows them (filters, sort, dir)
    sort: str
    descending: bool
    page: int = 1

    @property
    def order(self) -> tuple[Any, ...]:
        return store.ordering(self.sort, self.descending)

    def params(self, **change: Any) -> dict[str, str]:
        merged = {**self.shown, **{k: str(v) for k, v in change.items() if v is not None}}
        return {k: v for k, v in merged.items() if v}

    def link(self, **change: Any) -> str:
        return "/ui/documents?" + urlencode(self.params(**change))

    def sort_link(self, column: str) -> str:
        """The header's link: this column, the other way round when it is the sort."""
        if column == self.sort:
            direction = "asc" if self.descending else "desc"
        else:
            direction = "desc" if column in DESCENDING_FIRST else "asc"
        return self.link(sort=column, dir=direction, page="")

    def carried(self) -> str:
        """The list's query, as the review page carries it (``?list=…``)."""
        return urlencode(self.params(page=""))

    def review_url(self, document_id: str) -> str:
        carried = self.carried()
        base = f"/ui/documents/{quote(document_id)}"
        return f"{base}?{urlencode({'list': carried})}" if carried else base


def parse_list(query: Mapping[str, str]) -> ListQuery:
    q = {k: v.strip()[:255] for k, v in query.items() if isinstance(v, str)}
    status = q.get("status") if q.get("status") in _STATUSES else None
    year_text = q.get("year", "")
    year = int(year_text) if year_text.isdigit() and 1900 <= int(year_text) <= 2200 else None
    yes_no = {"yes": True, "no": False}
    filters = repo.DocumentFilters(
        status=status,
        department=q.get("department") or None,
        year=year,
        has_findings=yes_no.get(q.get("findings", "")),
        approved=yes_no.get(q.get("approved", "")),
        review_state=q.get("review") if q.get("review") in _REVIEW_STATES else None,
        filename=q.get("filename") or None,
    )
    sort = q.get("sort", "") if q.get("sort", "") in store.SORTS else store.DEFAULT_SORT
    default_dir = "desc" if sort in DESCENDING_FIRST else "asc"
    direction = q.get("dir") if q.get("dir") in ("asc", "desc") else default_dir
    shown = {k: q.get(k, "") for k in FILTER_KEYS}
    if sort != store.DEFAULT_SORT or direction != "desc":
        shown.update(sort=sort, dir=direction)
    page_text = q.get("page", "1")
    page = max(1, int(page_text)) if page_text.isdigit() else 1
    return ListQuery(filters, shown, sort, direction == "desc", page)


def carried_list(list_param: str | None) -> ListQuery:
    """The list a review page was opened from (its ``list`` parameter)."""
    return parse_list(dict(parse_qsl(list_param or "", keep_blank_values=False)))


# --- figures, formats and failures as people read them ----------------------------------------


# money, points and percent: the one formatting helper of pages and exports
money, points, percent = figures.money, figures.points, figures.percent


def format_key(doc: StoredDocument) -> str:
    """The i18n key of a document's format as a reviewer names it: a PDF read by OCR is a
    scan (扫描件), images are scans too; others by their kind (Word 文档, Excel 表格…)."""
    if doc.format == "pdf" and doc.ocr_pages:
        return "fmt.scan_pdf"
    if doc.format in IMAGE_FORMATS:
        return "fmt.scan_image"
    return f"fmt.{doc.format}"


def failure_text(doc: StoredDocument, lang: str) -> str:
    """Why a document failed, in plain words: the caller's errors (a corrupt, encrypted or
    empty file) in their own words; ours (a timeout, a crash, a parser's bug) as what the
    reviewer can do about it, never with the technical detail."""
    t = translator("en" if lang == "en" else "zh")
    error = doc.error or {}
    code = str(error.get("code") or "")
    if f"fail.{code}" in FAILURE_KEYS:
        return t(f"fail.{code}")
    own = error.get("message" if lang == "en" else "message_zh")
    if code in INTERNAL_CODES or not isinstance(own, str) or not own:
        return t("fail.other")
    return own


# our own failures, told as what to do next (the caller's errors carry their own words)
FAILURE_KEYS = frozenset(
    f"fail.{code}"
    for code in (
        "job_timeout",
        "conversion_timeout",
        "job_too_large",
        "converter_missing",
        "llm_not_configured",
        "llm_error",
        "ocr_error",
    )
)
INTERNAL_CODES = frozenset({"", "internal_error", "service_error", "worker_crashed"})


def also_place(source: Mapping[str, Any], lang: str) -> str:
    """Another place a value stands, as the review page's tooltip names it: '第 2 页（规则）',
    never 'p2 rules'."""
    t = translator("en" if lang == "en" else "zh")
    page, extractor = source.get("page"), str(source.get("extractor") or "")
    where = t("fmt.page", n=page) if page else ""
    if extractor and f"extractor.{extractor}" in EXTRACTOR_KEYS:
        return t("fmt.by", where=where, who=t(f"extractor.{extractor}")).strip()
    return where


EXTRACTOR_KEYS = frozenset(f"extractor.{n}" for n in ("rules", "llm", "auto", "human"))


# --- the review page: back to the list, on to the next ----------------------------------------


def review_nav(
    session: Session, doc: StoredDocument, list_param: str | None, lang: str
) -> dict[str, Any]:
    """What the review page needs of its list: the link back to it (with its filters and
    sort), the next document's review URL (None at the end), and the other documents read
    as the same department and year."""
    listed = carried_list(list_param)
    next_id = store.next_document(session, listed.filters, listed.order, doc.id)
    carried = listed.carried()
    return {
        "back": "/ui/documents" + (f"?{carried}" if carried else ""),
        "next": listed.review_url(next_id) if next_id else None,
        "duplicates": store.duplicates(session, [doc]).get(doc.id, []),
        "format_key": format_key(doc),
        "failure": failure_text(doc, lang),
    }
