"""The HTTP server's own answers in the API's error shape.

A request the HTTP parser cannot read (a raw space or non-ASCII byte in the URL, a broken
header line) never reaches the application: uvicorn answers it with a plain-text 400 of its
own. ``JsonErrorsH11Protocol`` is uvicorn's h11 protocol with that one answer replaced by
the typed JSON error every other 4xx has (``service.api.errors``); ``jixiao serve`` runs with
it. Owns nothing else of the protocol.
"""

from __future__ import annotations

import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from service.api.errors import ErrorBody, ErrorInfo


def bad_request_body(reason: str) -> bytes:
    info = ErrorInfo(
        status=400,
        code="bad_request",
        message="The request is not valid HTTP.",
        message_zh="请求不是有效的 HTTP 请求。",
        detail=f"{reason} Spaces and non-ASCII characters in a URL must be percent-encoded "
        "(curl: -G --data-urlencode 'reason=…').",
    )
    data = ErrorBody(error=info).model_dump(mode="json")
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class JsonErrorsH11Protocol(H11Protocol):
    def send_400_response(self, msg: str) -> None:
        body = bad_request_body(msg)
        headers = [
            (b"content-type", b"application/json; charset=utf-8"),
            (b"content-length", str(len(body)).encode("ascii")),
            (b"x-content-type-options", b"nosniff"),
            (b"connection", b"close"),
        ]
        for event in (
            h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
            h11.Data(data=body),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event))
        self.transport.close()
