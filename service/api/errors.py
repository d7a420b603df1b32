"""The one JSON error shape of the API, and the mapping of errors to HTTP statuses.

Every 4xx and 5xx answer — our typed errors, request validation, unknown routes, wrong
methods, unexpected exceptions — has this body (pinned by tests/api/test_error_shape.py)::

    {"error": {"status": 422, "code": "invalid_value",
               "message": "The corrected value has the wrong type for this field.",
               "message_zh": "更正的值类型不对。",
               "detail": "expected a number, got 'abc'",
               "context": {"path": "indicators/3/score"}}}

``code`` is stable and meant for programs; ``message``/``message_zh`` are for people;
``detail`` says what exactly was wrong (a string, or a list for validation errors).
Owns no business rules: it only translates.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.errors import (
    ConfigError,
    CorruptFileError,
    EmptyFileError,
    EncryptedFileError,
    FileTooLargeError,
    ImageTooLargeError,
    InputError,
    JixiaoError,
    MislabelledFileError,
    NoArticleError,
    NoPagesError,
    ServiceError,
    TextTooLongError,
    TooManyPagesError,
    UnsupportedFormatError,
)
from service.jobs.worker import LLMNotConfiguredError, database_away
from service.store.corrections import CorrectionError
from service.store.documents import ConflictError, NotFoundError
from service.store.keys import LastAdminKeyError

log = logging.getLogger("jixiao.api")


class AuthError(InputError):
    code = "unauthorized"
    message_zh = "需要有效的 API 密钥（请求头 X-API-Key 或 Authorization: Bearer）。"
    message_en = "A valid API key is required (header X-API-Key or Authorization: Bearer)."


class ForbiddenError(InputError):
    code = "forbidden"
    message_zh = "该密钥的角色无权执行此操作。"
    message_en = "This key's role is not allowed to do that."


class BadRequestError(InputError):
    code = "bad_request"
    message_zh = "请求无效。"
    message_en = "The request is not valid."


class NotReadyError(ServiceError):
    code = "not_ready"
    message_zh = "服务尚未就绪。"
    message_en = "The service is not ready."


class DatabaseUnavailableError(ServiceError):
    code = "database_unavailable"
    message_zh = "数据库暂时无法访问，请稍后重试。"
    message_en = "The database cannot be reached just now; try again shortly."


_STATUS: dict[type[JixiaoError], int] = {
    AuthError: 401,
    ForbiddenError: 403,
    NotFoundError: 404,
    ConflictError: 409,
    LastAdminKeyError: 409,
    FileTooLargeError: 413,
    TooManyPagesError: 413,
    ImageTooLargeError: 413,
    TextTooLongError: 413,
    UnsupportedFormatError: 415,
    MislabelledFileError: 415,
    EmptyFileError: 422,
    CorruptFileError: 422,
    EncryptedFileError: 422,
    NoArticleError: 422,
    NoPagesError: 422,
    CorrectionError: 422,
    LLMNotConfiguredError: 422,
    InputError: 400,
    NotReadyError: 503,
    DatabaseUnavailableError: 503,
    ConfigError: 500,
    ServiceError: 500,
    JixiaoError: 500,
}


def status_for(exc: JixiaoError) -> int:
    for cls in type(exc).__mro__:
        if cls in _STATUS:
            return _STATUS[cls]
    return 500  # pragma: no cover - JixiaoError is in the table


class ErrorInfo(BaseModel):
    status: int
    code: str = Field(description="Stable machine-readable code, e.g. 'corrupt_file'.")
    message: str = Field(description="What went wrong, in English.")
    message_zh: str = Field(description="What went wrong, in Chinese.")
    detail: Any = Field(None, description="Specifics: a sentence, or a list of field errors.")
    context: dict[str, Any] = Field(default_factory=dict)


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: ErrorInfo


def error_response(
    status: int,
    code: str,
    message: str,
    message_zh: str,
    detail: Any = None,
    context: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    info = ErrorInfo(
        status=status,
        code=code,
        message=message,
        message_zh=message_zh,
        detail=detail,
        context=context or {},
    )
    return JSONResponse(ErrorBody(error=info).model_dump(mode="json"), status, headers=headers)


def jixiao_error_response(exc: JixiaoError) -> JSONResponse:
    status = status_for(exc)
    data = exc.to_dict()
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status >= 500 and not isinstance(exc, NotReadyError):
        log.error("server error: %s", exc.message)
    return error_response(
        status,
        data["code"],
        data["message"],
        data["message_zh"],
        data.get("detail"),
        _jsonable_context(data.get("context")),
        headers,
    )


def _jsonable_context(context: Any) -> dict[str, Any]:
    if not isinstance(context, dict):
        return {}
    safe = (str, int, float, bool, type(None), list, dict)
    return {k: (v if isinstance(v, safe) else str(v)) for k, v in context.items()}


_VALIDATION = ("validation_error", "The request is not valid.", "请求参数无效。")


def _validation_detail(exc: RequestValidationError) -> list[dict[str, Any]]:
    # no "input": it may echo a key or a whole file back
    return [
        {
            "loc": [str(p) for p in err.get("loc", ())],
            "msg": str(err.get("msg", "")),
            "type": str(err.get("type", "")),
        }
        for err in exc.errors()
    ][:20]


_HTTP_MESSAGES_ZH = {
    400: "请求无效。",
    401: "需要身份验证。",
    403: "无权访问。",
    404: "找不到所请求的资源。",
    405: "不支持该请求方法。",
    413: "请求体过大。",
    415: "不支持的媒体类型。",
}


def install(app: FastAPI) -> None:
    """Register the handlers that give every error the shape above."""

    async def on_jixiao(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, JixiaoError)
        return jixiao_error_response(exc)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        code, message, zh = _VALIDATION
        return error_response(422, code, message, zh, _validation_detail(exc))

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        status = exc.status_code
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        code = phrase.lower().replace(" ", "_").replace("-", "_")
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else None
        zh = _HTTP_MESSAGES_ZH.get(status, "请求失败。")
        return error_response(status, code, phrase + ".", zh, detail, None, exc.headers)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(
            500,
            "internal_error",
            "Internal server error; it has been logged.",
            "服务器内部错误，已记录日志。",
        )

    async def on_database(request: Request, exc: Exception) -> JSONResponse:
        # a restart or failover of the database: a typed 503 the client can retry, not a 500
        if not database_away(exc):
            return await on_unexpected(request, exc)
        log.warning("database unreachable on %s %s: %s", request.method, request.url.path, exc)
        response = jixiao_error_response(DatabaseUnavailableError(type(exc).__name__))
        response.headers["Retry-After"] = "5"
        return response

    app.add_exception_handler(JixiaoError, on_jixiao)
    app.add_exception_handler(DBAPIError, on_database)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)


_DESCRIPTIONS = {
    400: "Malformed request (`bad_request`: no file, a `set` without `value`, too many "
    "documents for one export)",
    401: "No or unknown API key",
    403: "The key's role may not do this",
    404: "Unknown document or resource",
    409: "Not possible in the current state (`extraction_not_ready`, the last admin key)",
    413: "Too large: file, pages, image pixels or text",
    415: "Unsupported or mislabelled file type",
    422: "Invalid request, or a file that cannot be read (`corrupt_file`, `encrypted_file`, "
    "`empty_file`, `no_pages`, `no_article`)",
    503: "Not ready; `context` says why",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the error statuses a route can answer, each with the one
    error body (tests/api/test_schemathesis.py holds every route to them)."""
    return {s: {"model": ErrorBody, "description": _DESCRIPTIONS[s]} for s in statuses}


ERROR_RESPONSES = error_responses(401, 403, 404, 422)
"""What every route of a router can answer; routes add their own with ``error_responses``."""
