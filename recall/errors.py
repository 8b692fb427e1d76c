"""Domain errors and the one table that turns them into HTTP answers."""

import errno
import logging
import socket

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

log = logging.getLogger("recall.errors")


class DomainError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, detail: str, *, field: str | None = None, code: str | None = None):
        super().__init__(detail)
        self.detail = detail
        self.field = field
        if code:
            self.code = code


class BadRequest(DomainError):
    status_code = 400
    code = "bad_request"


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class InvalidField(DomainError):
    status_code = 422
    code = "invalid_field"


class UnsupportedMediaType(DomainError):
    """Content of a type this API does not take (an uploaded file's, judged by its bytes)."""

    status_code = 415
    code = "unsupported_media_type"


class Unavailable(DomainError):
    """Something the request needs is away for now: 503 with Retry-After."""

    status_code = 503
    code = "unavailable"
    retry_after_seconds = 5


class EngineUnavailable(Unavailable):
    """The workflow engine did not take the command in time; safe to retry with the same key."""

    code = "engine_unavailable"


class ReadModelUnavailable(Unavailable):
    """The database of the read model does not answer."""

    code = "database_unavailable"


def error_body(code: str, detail: str, field: str | None = None) -> dict:
    return {"error": code, "detail": detail, "field": field}


async def _domain_error(_request: Request, exc: DomainError) -> JSONResponse:
    headers = {}
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, Unavailable):
        headers["Retry-After"] = str(exc.retry_after_seconds)
    return JSONResponse(
        error_body(exc.code, exc.detail, exc.field), status_code=exc.status_code, headers=headers
    )


def _field_name(loc: tuple) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or None


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    first = errors[0] if errors else {"loc": (), "msg": "invalid request", "type": ""}
    loc = tuple(first.get("loc", ()))
    if first.get("type") in ("json_invalid", "model_attributes_type") or loc in (("body",), ()):
        status, code = 400, "malformed"
    else:
        status, code = 422, "invalid_field"
    field = _field_name(loc)
    msg = first.get("msg", "invalid")
    detail = f"{field}: {msg}" if field else msg
    return JSONResponse(error_body(code, detail, field), status_code=status)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request) -> str:
    """Every method some route takes on the request's path. Starlette's 405 names only those of
    the first route that matched the path (a path with a GET and a POST route is two routes)."""
    routes = request.app.router.routes
    allowed = [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes
        )
    ]
    return ", ".join(allowed)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    codes = {
        400: "malformed",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        413: "too_large",
    }
    headers = getattr(exc, "headers", None)
    if exc.status_code == 405 and (allowed := _allowed_methods(request)):
        headers = {**(headers or {}), "Allow": allowed}
    return JSONResponse(
        error_body(
            codes.get(exc.status_code, "http_error"), str(exc.detail), getattr(exc, "field", None)
        ),
        status_code=exc.status_code,
        headers=headers,
    )


DATABASE_AWAY = "the database does not answer; try again in a few seconds"
# What the database's absence looks like from here: no connection (refused, reset, timed out),
# the server shutting down or starting, no connection slot, the pool exhausted.
_OUTAGES = (
    ConnectionError,  # refused, reset, aborted
    TimeoutError,
    socket.gaierror,  # the database's host name does not resolve
    sa.TimeoutError,  # no connection free in the pool in time
    sa.OperationalError,
    sa.InterfaceError,
    asyncpg.PostgresConnectionError,  # class 08, ConnectionDoesNotExistError
    asyncpg.OperatorInterventionError,  # 57P01 admin shutdown, 57P03 cannot connect now
    asyncpg.TooManyConnectionsError,
    asyncpg.InterfaceError,  # "connection is closed"
)
_UNREACHABLE = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.ENETDOWN}


def _unreachable(exc: BaseException) -> bool:
    """An OSError of a connection that could not be made (asyncio names several at once)."""
    return isinstance(exc, OSError) and (
        exc.errno in _UNREACHABLE or str(exc).startswith("Multiple exceptions:")
    )


def database_outage(exc: BaseException) -> bool:
    """Whether exc (or what it wraps) says the database is away, not that a statement is wrong."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, _OUTAGES) or _unreachable(exc):
            return True
        if isinstance(exc, sa.DBAPIError) and exc.connection_invalidated:
            return True
        exc = getattr(exc, "orig", None) or exc.__cause__
    return False


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """503 with Retry-After while the database is away; any other database error stays a 500."""
    if not database_outage(exc):
        raise exc
    log.warning("the database does not answer (%s: %s)", type(exc).__name__, exc)
    return await _domain_error(request, ReadModelUnavailable(DATABASE_AWAY))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for kind in (sa.SQLAlchemyError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
        app.add_exception_handler(kind, _database_error)
