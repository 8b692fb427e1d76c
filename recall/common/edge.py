"""What every request meets before anything reads it: a bound on its body, a refusal of control
characters in its path and query parameters, and a 503 (not a 500) when the read model's database
is away while a middleware (idempotency keys) talks to it. Answers in the contract's error shape."""

import json
import logging

from fastapi import Request
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from recall.common.text import PRINTABLE, control_character
from recall.errors import (
    DATABASE_AWAY,
    InvalidField,
    ReadModelUnavailable,
    database_outage,
    error_body,
)

log = logging.getLogger("recall.http")
UPLOAD_TYPE = b"multipart/form-data"
UPLOAD_FIELD = "file"  # the file field of every upload the API takes (imports, evidence files)


async def _answer(send: Send, status: int, body: dict, headers: list | None = None) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class BodyTooLarge(HTTPException):
    """Raised from receive() once a body passes its limit. An HTTPException, so that FastAPI
    passes it on while it reads a body instead of calling it a parse error; answered 413,
    naming the upload's field for a multipart form."""

    def __init__(self, limit: int, field: str | None = None) -> None:
        super().__init__(413, f"the request body is larger than {_size(limit)}")
        self.field = field


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n % (1024 * 1024) == 0 else f"{n // 1024} KB"


async def printable_parameters(request: Request) -> None:
    """A dependency of every route: 422 for a control character in a query or path parameter,
    naming it, before any other dependency looks a value up (PostgreSQL cannot even compare a
    text with NUL in it)."""
    for where in (request.query_params.multi_items(), request.path_params.items()):
        for name, value in where:
            char = control_character(name) or control_character(str(value))
            if char is not None:
                field = "query" if control_character(name) else name
                raise InvalidField(
                    f"{field}: must not contain control characters (found {char})", field=field
                )


def _printable_string(schema: dict) -> None:
    if schema.get("type") == "string" and "enum" not in schema and "const" not in schema:
        schema.setdefault("pattern", PRINTABLE)
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key, ()):
            _printable_string(branch)


def document_printable_parameters(openapi: dict) -> dict:
    """Say in the OpenAPI document what printable_parameters refuses: every string parameter of
    a path or a query gets the pattern that excludes control characters."""
    for operations in openapi.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", ()) if isinstance(operation, dict) else ():
                if parameter.get("in") in ("path", "query") and "schema" in parameter:
                    _printable_string(parameter["schema"])
    return openapi


class BodyLimitMiddleware:
    """413 for a body over its limit (the larger upload limit for multipart forms), checked on
    Content-Length first and on the bytes as they stream (a chunked body has no length)."""

    def __init__(self, app: ASGIApp, *, max_body: int, max_upload: int) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        is_upload = headers.get(b"content-type", b"").lower().startswith(UPLOAD_TYPE)
        limit = self.max_upload if is_upload else self.max_body
        refusal = BodyTooLarge(limit, UPLOAD_FIELD if is_upload else None)
        too_large = error_body("too_large", refusal.detail, refusal.field)
        try:
            declared = int(headers.get(b"content-length", b"0") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            await _answer(send, 413, too_large, [(b"connection", b"close")])
            return

        received, started = 0, False

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise refusal
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, bounded_receive, watching_send)
        except BodyTooLarge:
            if started:
                raise
            await _answer(send, 413, too_large, [(b"connection", b"close")])


class DatabaseOutageMiddleware:
    """The error handlers answer 503 for an outage met by a route; this does the same for one
    met by a middleware outside the routes (an Idempotency-Key is looked up before the route)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watching_send)
        except Exception as exc:
            if not database_outage(exc):
                raise
            log.warning("the database does not answer (%s: %s)", type(exc).__name__, exc)
            if started:  # the answer is out; only its bookkeeping failed
                return
            unavailable = ReadModelUnavailable(DATABASE_AWAY)
            await _answer(
                send,
                unavailable.status_code,
                error_body(unavailable.code, unavailable.detail),
                [(b"retry-after", str(unavailable.retry_after_seconds).encode())],
            )
