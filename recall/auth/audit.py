"""The audit trail: every command (POST) with who, what, when, on which object and the request id.

Kept in one place, as ASGI middleware, so no route can forget it. Refused commands are kept too.

Each request writes its entry before it ends; requests ending together share one transaction
(a group commit), so under load the trail costs one write for many commands."""

import asyncio
import json
import logging
import weakref

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from recall.auth.models import AuditEntry
from recall.common.types import utcnow
from recall.observability.context import request_id_var

log = logging.getLogger("recall.audit")
API_PREFIX = "/api/v1/"


def _object_of(scope: Scope, body: bytes) -> tuple[str | None, str | None]:
    path = scope["path"]
    if not path.startswith(API_PREFIX):
        return None, None
    object_type = path[len(API_PREFIX) :].split("/", 1)[0]
    params = scope.get("path_params") or {}
    if params:
        return object_type, str(next(iter(params.values())))
    try:
        created = json.loads(body)
    except ValueError:
        return object_type, None
    if isinstance(created, dict):
        return object_type, created.get("id") or created.get("code")
    return object_type, None


def note_for_audit(
    request: Request, object_type: str, object_id: str, detail: str | None = None
) -> None:
    """For a page (outside /api/v1): the object an act was on and, for a refusal, why; the
    answer is HTML, so the middleware cannot read them from it."""
    request.state.audit_object = (object_type, object_id[:80])
    if detail is not None:
        request.state.audit_detail = detail


class _GroupWriter:
    """One event loop's audit writes to one database: an entry waits while the write before it
    runs, then goes with every entry that came meanwhile, in one statement and one transaction."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self._waiting: list[tuple[dict, asyncio.Future]] = []
        self._writing = False

    async def write(self, row: dict) -> None:
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((row, done))
        if not self._writing:
            self._writing = True
            asyncio.get_running_loop().create_task(self._drain())
        await done

    async def _drain(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    async with self._sessionmaker() as session:
                        await session.execute(
                            insert(AuditEntry.__table__), [row for row, _ in batch]
                        )
                        await session.commit()
                except Exception as err:  # each request logs its own lost entry
                    for _, done in batch:
                        if not done.done():
                            done.set_exception(err)
                else:
                    for _, done in batch:
                        if not done.done():
                            done.set_result(None)
        finally:
            self._writing = False


# One writer per event loop and database (two apps in one loop may write to different ones).
_writers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, weakref.WeakKeyDictionary]" = (
    weakref.WeakKeyDictionary()
)


def _writer(sessionmaker: async_sessionmaker[AsyncSession]) -> _GroupWriter:
    loop = asyncio.get_running_loop()
    by_database = _writers.get(loop)
    if by_database is None:
        by_database = _writers[loop] = weakref.WeakKeyDictionary()
    writer = by_database.get(sessionmaker)
    if writer is None:
        writer = by_database[sessionmaker] = _GroupWriter(sessionmaker)
    return writer


class AuditMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        status, chunks = 500, []

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and len(chunks) < 64:
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            await self._record(scope, status, b"".join(chunks))

    @staticmethod
    async def _record(scope: Scope, status: int, body: bytes) -> None:
        state = scope.get("state") or {}
        principal = state.get("principal")
        route = scope.get("route")
        object_type, object_id = state.get("audit_object") or _object_of(
            scope, body if status < 300 else b""
        )
        detail = state.get("audit_detail")
        if status >= 400 and detail is None:
            try:
                detail = json.loads(body).get("detail")
            except (ValueError, AttributeError):
                detail = None
        row = {
            "at": utcnow(),
            "actor": principal.actor if principal else "anonymous",
            "token_id": principal.token_id if principal else None,
            "action": getattr(route, "name", None) or "unmatched",
            "method": scope["method"],
            "path": scope["path"][:500],
            "object_type": object_type,
            "object_id": object_id,
            "status_code": status,
            "request_id": request_id_var.get(),
            "detail": detail if isinstance(detail, str) else None,
        }
        try:
            await _writer(scope["app"].state.sessionmaker).write(row)
        except Exception:  # the command itself is done; a lost audit line must still be seen
            log.exception(
                "could not write the audit entry for %s %s", scope["method"], scope["path"]
            )
