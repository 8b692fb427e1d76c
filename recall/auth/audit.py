"""The audit trail: every command (POST) with who, what, when, on which object and the request id.

Kept in one place, as ASGI middleware, so no route can forget it. Refused commands are kept too."""

import json
import logging

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from recall.auth.models import AuditEntry
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
        entry = AuditEntry(
            actor=principal.actor if principal else "anonymous",
            token_id=principal.token_id if principal else None,
            action=getattr(route, "name", None) or "unmatched",
            method=scope["method"],
            path=scope["path"][:500],
            object_type=object_type,
            object_id=object_id,
            status_code=status,
            request_id=request_id_var.get(),
            detail=detail if isinstance(detail, str) else None,
        )
        try:
            async with scope["app"].state.sessionmaker() as session:
                session.add(entry)
                await session.commit()
        except Exception:  # the command itself is done; a lost audit line must still be seen
            log.exception(
                "could not write the audit entry for %s %s", scope["method"], scope["path"]
            )
