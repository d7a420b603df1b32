"""Documents: upload, list, status, the original file, page images, reprocess.

Owns the HTTP side of the document lifecycle. Uploads are checked, stored and committed
(document + job) before the 202 goes out; the runner is only nudged. The records of a
document (extraction, corrections, approval) are in ``routes/records.py``.
"""

from __future__ import annotations

from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, File, Path, Query, Response, UploadFile
from fastapi.responses import FileResponse

from service.api.deps import (
    AppState,
    FilesDep,
    Principal,
    PrincipalDep,
    ReviewerDep,
    SessionDep,
    StateDep,
    UploaderDep,
)
from service.api.downloads import content_disposition
from service.api.errors import ERROR_RESPONSES, BadRequestError, ForbiddenError, error_responses
from service.api.schemas import (
    DocumentDetail,
    DocumentPage,
    DocumentSummary,
    ExtractionOut,
    ExtractorName,
    JobOut,
    ReprocessRequest,
    ReprocessResponse,
    UploadItem,
    UploadResponse,
)
from service.errors import FileTooLargeError, InputError
from service.ingest.sniff import MEDIA_TYPES
from service.jobs.intake import Checked, accept_upload, bundle_upload, check_upload
from service.jobs.worker import LLMNotConfiguredError
from service.store import documents as repo
from service.store import queue
from service.store.engine import transaction
from service.store.pages import DEFAULT_DPI, MAX_DPI, MIN_DPI, render_page
from service.store.tables import Role

router = APIRouter(prefix="/documents", tags=["documents"], responses=ERROR_RESPONSES)

MAX_FILES_PER_REQUEST = 20
UPLOADS_AT_ONCE = 4  # per process; CPU-bound checks gain nothing from more on a small host
DocumentId = Annotated[str, Path(min_length=1, max_length=64, description="Document id.")]
# what ``GET …/file`` answers with: the media type the upload was sniffed as
UPLOAD_MEDIA_TYPES = sorted({*MEDIA_TYPES.values(), "application/octet-stream"})


def _check_extractor(extractor: str | None, state: AppState) -> None:
    """Asking for the LLM without an endpoint would only queue a job bound to fail."""
    if extractor == "llm" and not state.settings.llm.configured:
        raise LLMNotConfiguredError("set JIXIAO_LLM_BASE_URL and JIXIAO_LLM_MODEL")


def _read_limited(upload: UploadFile, limit: int) -> bytes:
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise FileTooLargeError(
            f"{upload.filename or 'file'}: more than {limit} bytes",
            limit=limit,
            filename=upload.filename,
        )
    return data


@router.post(
    "",
    status_code=202,
    response_model=UploadResponse,
    summary="Upload one or more reports",
    responses=error_responses(400, 413, 415),
)
async def upload_documents(
    response: Response,
    state: StateDep,
    principal: UploaderDep,
    files: Annotated[
        list[UploadFile] | None, File(description="Reports: PDF, DOCX, PNG/JPEG/TIFF or text.")
    ] = None,
    file: Annotated[UploadFile | None, File(description="One report (same as `files`).")] = None,
    extractor: Annotated[
        ExtractorName | None, Query(description="Extractor; default from settings.")
    ] = None,
    rerun: Annotated[
        bool, Query(description="Process again when these bytes were uploaded before.")
    ] = False,
    bundle: Annotated[
        bool,
        Query(
            description="The files are one report (作为一份报告): the report and its "
            "attachments (自评表, 基础数据表) stored and read as one document, checked "
            "across files. A ZIP upload is a bundle by itself."
        ),
    ] = False,
) -> UploadResponse:
    """Check every file (type, size, pages, encryption) before storing any; then store
    them and queue their processing. The same bytes return the existing document;
    ``rerun=true`` processes it again, which replaces its extraction and clears an approval,
    so it needs the reviewer role (as ``POST /documents/{id}/reprocess`` does)."""
    _check_extractor(extractor, state)
    if rerun and not principal.can(Role.reviewer):
        raise ForbiddenError(
            f"rerun=true needs the {Role.reviewer.value} role; this key is {principal.role.value}",
            needed=Role.reviewer.value,
            role=principal.role.value,
        )
    uploads = [*(files or []), *([file] if file is not None else [])]
    if not uploads:
        raise BadRequestError("send the file(s) as multipart form field `files`")
    if len(uploads) > MAX_FILES_PER_REQUEST:
        raise BadRequestError(f"at most {MAX_FILES_PER_REQUEST} files per request")
    # At most a few uploads are checked and stored at once, each in a worker thread; the
    # others wait on the event loop, not in the thread pool, so a burst of uploads leaves
    # threads free for the status requests that come with it.
    limiter = _upload_limiter(state)
    items = await anyio.to_thread.run_sync(
        _accept_all, state, principal, uploads, extractor, rerun, bundle, limiter=limiter
    )
    state.runner.notify()
    if len(items) == 1:
        response.headers["Location"] = items[0].status_url
    return UploadResponse(documents=items)


def _upload_limiter(state: AppState) -> anyio.CapacityLimiter:
    if state.upload_limiter is None:
        state.upload_limiter = anyio.CapacityLimiter(UPLOADS_AT_ONCE)
    limiter: anyio.CapacityLimiter = state.upload_limiter
    return limiter


def _accept_all(
    state: AppState,
    principal: Principal,
    uploads: list[UploadFile],
    extractor: str | None,
    rerun: bool,
    bundle: bool = False,
) -> list[UploadItem]:
    received: list[tuple[bytes, str | None]] = []
    for upload in uploads:
        try:
            data = _read_limited(upload, state.settings.limits.max_bytes)
            received.append((data, upload.filename))
        except InputError as exc:
            exc.context.setdefault("filename", upload.filename)
            raise
    if bundle and len(received) > 1:  # one report in several files: stored as one ZIP
        received = [bundle_upload([(name, data) for data, name in received])]
    checked: list[tuple[bytes, Checked, str | None]] = []
    for data, filename in received:
        try:
            checked.append((data, check_upload(data, filename, state.settings.limits), filename))
        except InputError as exc:
            exc.context.setdefault("filename", filename)
            raise
    options = {"extractor": extractor} if extractor else {}
    items = []
    for data, info, filename in checked:
        accepted = accept_upload(
            state.engine,
            state.files,
            data,
            info,
            filename=filename,
            uploaded_by=principal.author,
            options=options,
            rerun=rerun,
            max_attempts=state.settings.workers.max_attempts,
        )
        doc = accepted.document
        items.append(
            UploadItem(
                id=doc.id,
                filename=doc.filename,
                sha256=doc.sha256,
                status=doc.status,
                duplicate=accepted.duplicate,
                job_id=accepted.job.id if accepted.job else None,
                status_url=f"/documents/{doc.id}",
            )
        )
    return items


@router.get("", response_model=DocumentPage, summary="List documents")
def list_documents(
    session: SessionDep,
    _: PrincipalDep,
    status: Annotated[Literal["queued", "processing", "done", "failed"] | None, Query()] = None,
    department: Annotated[
        str | None, Query(max_length=255, description="Part of the department name.")
    ] = None,
    year: Annotated[int | None, Query(ge=1900, le=2200, description="Fiscal year.")] = None,
    has_findings: Annotated[bool | None, Query(description="With contradictions etc.")] = None,
    approved: Annotated[bool | None, Query(description="Signed off (审核/复核) or not.")] = None,
    review_state: Annotated[
        Literal["pending", "first_approved", "approved", "returned"] | None,
        Query(description="待审核, 初审通过, 已审核/已复核 or 已退回 (see GET …/review)."),
    ] = None,
    filename: Annotated[str | None, Query(max_length=255)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> DocumentPage:
    filters = repo.DocumentFilters(
        status=status,
        department=department,
        year=year,
        has_findings=has_findings,
        approved=approved,
        filename=filename,
        review_state=review_state,
    )
    rows, total = repo.list_documents(session, filters, limit=limit, offset=offset)
    return DocumentPage(
        items=[DocumentSummary.of(d) for d in rows], total=total, limit=limit, offset=offset
    )


@router.get("/{document_id}", response_model=DocumentDetail, summary="A document's status")
def get_document(document_id: DocumentId, session: SessionDep, _: PrincipalDep) -> DocumentDetail:
    status = repo.document_status(session, document_id)  # one query: clients poll this
    summary = DocumentSummary.of(status.document)
    return DocumentDetail(
        **summary.model_dump(),
        extraction=ExtractionOut.of(status.extraction) if status.extraction else None,
        job=JobOut.of(status.job) if status.job else None,
        corrections=status.corrections,
    )


@router.get(
    "/{document_id}/file",
    response_class=FileResponse,
    summary="The uploaded file, as uploaded (an attachment)",
    responses={200: {"content": {t: {} for t in UPLOAD_MEDIA_TYPES}}},
)
def get_file(
    document_id: DocumentId, session: SessionDep, files: FilesDep, _: PrincipalDep
) -> Response:
    doc = repo.get_document(session, document_id)
    if not files.exists(doc.sha256):
        raise repo.NotFoundError("the stored file is missing", document_id=doc.id)
    name = content_disposition(doc.filename or "", fallback=f"{doc.id}.{doc.format}")
    # an attachment in a sandbox: an uploaded HTML file never runs in this origin
    headers = {"Content-Disposition": name, "Content-Security-Policy": "sandbox"}
    local = files.local_path(doc.sha256)
    if local is None:  # object storage: the bytes (an upload is at most limits.max_bytes)
        return Response(files.get(doc.sha256), media_type=doc.media_type, headers=headers)
    return FileResponse(local, media_type=doc.media_type, headers=headers)


@router.get(
    "/{document_id}/pages/{page}.png",
    response_class=Response,
    summary="A page rendered as PNG",
    responses={200: {"content": {"image/png": {}}}},
)
def get_page_image(
    document_id: DocumentId,
    page: Annotated[int, Path(ge=1, le=100_000)],
    state: StateDep,
    session: SessionDep,
    _: PrincipalDep,
    dpi: Annotated[int, Query(ge=MIN_DPI, le=MAX_DPI)] = DEFAULT_DPI,
) -> Response:
    """Boxes of the document model scale to this image by ``image width / page width``."""
    doc = repo.get_document(session, document_id)
    png = render_page(state.files, doc, page, dpi, state.settings.limits)
    # content-addressed: the image of a stored file never changes
    headers = {"Cache-Control": "private, max-age=86400, immutable"}
    return Response(png, media_type="image/png", headers=headers)


@router.post(
    "/{document_id}/reprocess",
    status_code=202,
    response_model=ReprocessResponse,
    summary="Extract again (corrections are kept)",
)
def reprocess(
    document_id: DocumentId,
    state: StateDep,
    _: ReviewerDep,
    body: ReprocessRequest | None = None,
) -> ReprocessResponse:
    """Queue a new extraction version. Corrections stay; when it is done, the document's
    ``extraction.correction_report`` says which corrected values the fresh run reads
    differently."""
    _check_extractor(body.extractor if body else None, state)
    options = {"extractor": body.extractor} if body and body.extractor else {}
    with transaction(state.engine) as session:
        doc = repo.get_document(session, document_id, lock=True)
        job = queue.enqueue(
            session, doc.id, options=options, max_attempts=state.settings.workers.max_attempts
        )
        result = ReprocessResponse(
            id=doc.id, job_id=job.id or 0, status=doc.status, status_url=f"/documents/{doc.id}"
        )
    state.runner.notify()
    return result
