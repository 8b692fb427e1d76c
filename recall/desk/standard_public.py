"""/standards/{id}/comment: the public comment form (征求意见), for anyone, no sign-in needed,
while the standard is in public comment (40.20). A comment sent here enters the same log through
the same workflow command as one sent to the API (recall.standards.service.comment), recorded as
`public:<hash>` (recall.standards.public_comment) unless a person signed in sends it. Anonymous
forms carry the double-submit CSRF value; one address sends at most a few comments in a while."""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from recall.accounts.sessions import check_csrf, page_principal
from recall.associations.models import Association
from recall.auth.audit import note_for_audit
from recall.auth.principal import Principal
from recall.commands import CommandContext
from recall.common.types import utcnow
from recall.dashboard.i18n import Labels
from recall.dashboard.pages import Query
from recall.dashboard.views import when
from recall.desk.forms import Refusal, Submitted, ids_for, new_idempotency_key, parse
from recall.desk.pages import labels, render
from recall.desk.standard_period import comment_period
from recall.errors import (
    DomainError,
    EngineUnavailable,
    Forbidden,
    InvalidField,
    NotFound,
    Unavailable,
)
from recall.standards import service
from recall.standards.access import visible_standard
from recall.standards.models import Standard, StandardComment
from recall.standards.public_comment import (
    MAX_COMMENTS,
    WINDOW,
    TooManyComments,
    count_comment,
    public_principal,
)
from recall.standards.schemas import CommentIn

router = APIRouter(include_in_schema=False)
FIELDS = ("author", "organisation", "clause", "text")


def _path(standard_id: str) -> str:
    return f"/standards/{standard_id}/comment"


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _refusal(error: DomainError, t: Labels) -> Refusal:
    """The refusal in the reader's language where it is one a member of the public meets."""
    if isinstance(error, TooManyComments):
        minutes = int(WINDOW.total_seconds() // 60)
        detail = t("pub.too_many", n=MAX_COMMENTS, minutes=minutes, at=when(error.until))
        return Refusal(detail, None, error.status_code)
    if isinstance(error, InvalidField) and error.field in FIELDS:
        return Refusal(t(f"pub.rule.{error.field}"), error.field, error.status_code)
    if isinstance(error, Forbidden):
        return Refusal(t("pub.csrf"), None, error.status_code)
    return Refusal.of(error)


async def show_form(
    request: Request,
    principal: Principal | None,
    standard_id: str,
    submitted: Submitted | None = None,
    status: int = 200,
    retry_at: datetime | None = None,
) -> Response:
    t = labels(request)
    async with request.app.state.sessionmaker() as session:
        standard = await session.get(Standard, standard_id)
        if standard is None:
            return render(request, "not_found.html", principal, 404)
        view = service.standard_summary(standard)
        association = (
            await session.get(Association, standard.drafting_association_id)
            if standard.drafting_association_id
            else None
        )
        drafted_by = association.name if association else ""
        await session.rollback()
    f = submitted or Submitted("comment", {"idempotency_key": new_idempotency_key()})
    response = render(
        request,
        "standards/comment.html",
        principal,
        status,
        standard=view,
        stage=t.code("standard_stage", view["stage_code"]),
        association=drafted_by,
        period=comment_period(view, datetime.now(UTC), t),
        f=f,
        sent=submitted is None and request.query_params.get("sent") == "1",
        action=Query.of(request).lang_only(_path(standard_id)),
    )
    response.headers["Cache-Control"] = "no-store"  # the form carries a CSRF value
    if retry_at is not None:
        wait = (retry_at - utcnow()).total_seconds()
        response.headers["Retry-After"] = str(max(1, int(wait) + 1))
    return response


@router.get("/standards/{standard_id}/comment")
async def comment_form(standard_id: str, request: Request) -> Response:
    principal = await page_principal(request)  # the nav shows who is signed in, if anyone
    return await show_form(request, principal, standard_id)


@router.post("/standards/{standard_id}/comment")
async def public_comment(standard_id: str, request: Request) -> Response:
    principal = await page_principal(request)  # signed in: they comment as themselves
    t = labels(request)
    form = await request.form()
    key = _field(form, "idempotency_key") or None
    values: dict[str, Any] = {name: _field(form, name) for name in FIELDS}
    submitted = Submitted("comment", {**values, "idempotency_key": key or ""})
    address = request.client.host if request.client else "unknown"
    actor = principal or public_principal(standard_id, address)
    request.state.principal = actor  # the audit trail's actor
    note_for_audit(request, "standards", standard_id)
    async with request.app.state.sessionmaker() as session:
        try:
            check_csrf(request, _field(form, "csrf_token"))
            standard = await visible_standard(session, standard_id)
            data = parse(CommentIn, values)
            comment_id = ids_for(actor.actor, standard_id, "comment", key).new("cmt")
            if await session.get(StandardComment, comment_id) is None:  # not a form sent again
                await count_comment(session, address, utcnow())
            cmd = CommandContext(
                session=session,
                workflows=request.app.state.workflows,
                principal=actor,
                ids=ids_for(actor.actor, standard_id, "comment", key),
            )
            await service.comment(cmd, standard=standard, data=data)
        except NotFound:
            return render(request, "not_found.html", principal, 404)
        except DomainError as error:
            if not isinstance(error, Unavailable | EngineUnavailable):
                submitted.values["idempotency_key"] = new_idempotency_key()
            submitted.refusal = _refusal(error, t)
            note_for_audit(request, "standards", standard_id, error.detail)
            until = error.until if isinstance(error, TooManyComments) else None
            return await show_form(
                request, principal, standard_id, submitted, error.status_code, until
            )
    sent = Query.of(request).lang_only(_path(standard_id))
    return RedirectResponse(sent + ("&" if "?" in sent else "?") + "sent=1", status_code=303)
