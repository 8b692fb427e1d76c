"""/desk/standards/{id}: the standard's workspace. Its stage, the public comment period, the
comment log (意见汇总处理表) with a disposition form for each comment without one, and the forms
of the acts this person may do now (transition, comment, ballot); the log as CSV and as the
committee's printable table. An act goes through the same service functions as the API, so it
meets the same rules, the same workflow and the same audit trail; a refused act shows its form
again with the person's input and the reason."""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from recall.associations.models import Association
from recall.auth import permissions
from recall.auth.principal import Principal
from recall.commands import CommandContext
from recall.dashboard.i18n import Labels
from recall.dashboard.views import when
from recall.desk import standard_public
from recall.desk.acts import add_act_routes, command_context, receive, refuse
from recall.desk.forms import (
    Submitted,
    form_values,
    new_idempotency_key,
    parse,
)
from recall.desk.pages import (
    NotSignedIn,
    after_act,
    labels,
    person,
    render,
    to_login,
)
from recall.desk.standard_acts import (
    BALLOT_ROWS,
    MODELS,
    ballot_rows,
    ballot_values,
    blocked_next,
    next_stages,
    rule_state,
    standard_acts,
    with_period_days,
)
from recall.desk.standard_log import log_csv, log_rows
from recall.desk.standard_notes import standard_note
from recall.desk.standard_period import comment_period
from recall.errors import DomainError, Forbidden, NotFound
from recall.programmes.models import Programme
from recall.rules import standard_rules as rules
from recall.standards import service
from recall.standards.access import draft_refusal, programme_regions, visible_standard
from recall.standards.models import Standard, StandardComment

router = APIRouter(include_in_schema=False)
router.include_router(standard_public.router)  # /standards/{id}/comment, for anyone

# How a refusal names each act (recall.standards.access.draft_refusal: "may not <verb> ...").
VERBS = {
    "transition": "advance",
    "dispose_comment": "dispose comments on",
    "ballot": "hold the ballot of",
}


def _sessionmaker(request: Request):
    return request.app.state.sessionmaker


def _fresh(act: str, **values: Any) -> Submitted:
    return Submitted(act, {"idempotency_key": new_idempotency_key(), **values})


def _steps(stage: str, t: Labels) -> list[dict]:
    reached = rules.ORDER.index(stage) if stage in rules.ORDER else -1
    if stage == rules.PUBLISHED:
        reached += 1  # a published standard has taken its last step
    return [
        {
            "code": code,
            "name": t.code("standard_stage", code),
            "status": "done" if i < reached else "current" if i == reached else "pending",
        }
        for i, code in enumerate(rules.ORDER)
    ]


def _timeline(milestones: list, t: Labels) -> list[dict]:
    return [
        {
            "at": when(m.at),
            "kind": m.kind,
            "event": t.code("milestone", m.kind),
            "stage": t.code("standard_stage", m.stage),
            "actor": m.actor,
            "note": standard_note(m.kind, m.note, t),
            "alert": False,
        }
        for m in milestones
    ]


def _ballot(view: dict, t: Labels) -> dict | None:
    """The last ballot against the 3/4 rule: approvals of the votes cast (abstentions not cast)."""
    ballot = view.get("ballot")
    if not ballot:
        return None
    cast = ballot["approve"] + ballot["disapprove"]
    at = ballot.get("at")
    return {
        **ballot,
        "cast": cast,
        "share": f"{ballot['approve'] / cast:.0%}" if cast else "—",
        "at": when(datetime.fromisoformat(at) if isinstance(at, str) else at),
        "outcome": t("std.passed") if ballot["passed"] else t("std.not_passed"),
    }


def _voter_rows(f: Submitted | None) -> list[tuple[str, str]]:
    """The ballot form's rows: the ones sent (a refused ballot keeps them), then empty ones."""
    kept = (
        list(zip(f.values.get("voter") or [], f.values.get("vote") or [], strict=False))
        if f
        else []
    )
    return kept + [("", "")] * max(BALLOT_ROWS - len(kept), 0)


async def _names(session: AsyncSession, view: dict) -> dict:
    association = (
        await session.get(Association, view["drafting_association_id"])
        if view["drafting_association_id"]
        else None
    )
    programme = await session.get(Programme, view["programme_id"])
    return {
        "association": association.name if association else "",
        "programme": programme.title if programme else view["programme_id"],
    }


async def show_standard(
    request: Request,
    principal: Principal,
    standard_id: str,
    submitted: Submitted | None = None,
    status: int = 200,
) -> Response:
    t = labels(request)
    now = datetime.now(UTC)
    async with _sessionmaker(request)() as session:
        try:
            standard = await visible_standard(session, standard_id)
        except NotFound:
            return render(request, "not_found.html", principal, 404)
        regions = await programme_regions(session, standard.programme_id)
        view = await service.standard_view(session, standard_id)
        names = await _names(session, view)
        milestones = _timeline(view["milestones"], t)  # rows read before the session ends
        # the published text's reference: what was noted when it was published (its number)
        published = next((m.note for m in view["milestones"] if m.kind == "published"), None)
        await session.rollback()
    acts, disposable = standard_acts(principal, view, regions, now)
    forms = {act: _fresh(act) for act in acts}
    dispose_forms = {cid: _fresh("dispose_comment", comment_id=cid) for cid in disposable}
    placed = False
    if submitted is not None:
        cid = submitted.values.get("comment_id")
        if submitted.act == "dispose_comment" and cid in dispose_forms:
            dispose_forms[cid], placed = submitted, True
        elif submitted.act != "dispose_comment":
            forms[submitted.act], placed = submitted, True  # shown even if the stage moved on
    state = rule_state(view)
    blocked = blocked_next(state)
    context = {
        "standard": view,
        "names": names,
        "stage": t.code("standard_stage", view["stage_code"]),
        "steps": _steps(view["stage_code"], t),
        "period": comment_period(view, now, t),
        "log": log_rows(view["comments"], t),
        "undisposed": len(rules.undisposed_comments(state)),
        "forms": forms,
        "dispose_forms": dispose_forms,
        "next_stages": [(code, t.code("standard_stage", code)) for code in next_stages(state)],
        "blocked": t(blocked[0], **blocked[1]) if blocked else None,
        "ballot": _ballot(view, t),
        "voter_rows": _voter_rows(forms.get("ballot")),
        "votes": rules.VOTES,
        "dispositions": rules.DISPOSITIONS,
        "milestones": milestones,
        "published_reference": published,
        "stray_refusal": submitted.refusal if submitted and not placed else None,
    }
    return render(request, "desk/standard.html", principal, status, **context)


@router.get("/desk/standards/{standard_id}")
async def standard_desk(standard_id: str, request: Request) -> Response:
    try:
        principal = await person(request)
    except NotSignedIn:
        return to_login(request)
    return await show_standard(request, principal, standard_id)


async def _comment_log(request: Request, standard_id: str) -> tuple[Principal, dict] | Response:
    """The person signed in and the standard they may see, or the answer for anyone else."""
    try:
        principal = await person(request)
    except NotSignedIn:
        return to_login(request)
    async with _sessionmaker(request)() as session:
        try:
            await visible_standard(session, standard_id)
        except NotFound:
            return render(request, "not_found.html", principal, 404)
        view = await service.standard_view(session, standard_id)
        await session.rollback()
    return principal, view


@router.get("/desk/standards/{standard_id}/comments.csv")
async def comments_csv(standard_id: str, request: Request) -> Response:
    found = await _comment_log(request, standard_id)
    if isinstance(found, Response):
        return found
    _, view = found
    return Response(
        log_csv(log_rows(view["comments"], labels(request)), labels(request)),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="comments-{standard_id}.csv"',
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/desk/standards/{standard_id}/comments/table")
async def comments_table(standard_id: str, request: Request) -> Response:
    found = await _comment_log(request, standard_id)
    if isinstance(found, Response):
        return found
    principal, view = found
    t = labels(request)
    return render(
        request,
        "desk/standard_table.html",
        principal,
        standard=view,
        stage=t.code("standard_stage", view["stage_code"]),
        log=log_rows(view["comments"], t),
        printed=when(datetime.now(UTC)),
    )


async def _check_may(
    session: AsyncSession, principal: Principal, standard: Standard, act: str
) -> None:
    """The role decides here (403); the stage is the workflow's to refuse, with its reason."""
    if act == "comment":
        if not permissions.may_comment_on_standard(principal):
            raise Forbidden(f"a {principal.role} may not comment on standard {standard.id}")
        return
    regions = await programme_regions(session, standard.programme_id)
    if not permissions.may_draft_standard(principal, standard.drafting_association_id, regions):
        raise draft_refusal(principal, VERBS[act], f"standard {standard.id}")


async def _perform(
    act: str,
    cmd: CommandContext,
    standard: Standard,
    comment: StandardComment | None,
    values: dict[str, Any],
) -> None:
    """One service call per act, with the API's own request model."""
    if act == "transition":
        data = parse(MODELS[act], with_period_days(values))
        await service.transition(cmd, standard=standard, data=data)
    elif act == "comment":
        await service.comment(cmd, standard=standard, data=parse(MODELS[act], values))
    elif act == "dispose_comment":
        await service.dispose(cmd, comment=comment, data=parse(MODELS[act], values))
    else:
        await service.ballot(cmd, standard=standard, data=parse(MODELS[act], values))


async def _comment_of(session: AsyncSession, standard_id: str, comment_id: Any) -> StandardComment:
    comment = (
        await session.get(StandardComment, comment_id) if isinstance(comment_id, str) else None
    )
    if comment is None or comment.standard_id != standard_id:
        raise NotFound(f"standard {standard_id} has no comment {comment_id}")
    return comment


async def standard_act(request: Request, standard_id: str, act: str) -> Response:
    received = await receive(request, "standards", standard_id)
    if isinstance(received, Response):
        return received
    principal, form = received.principal, received.form
    if act == "ballot":
        rows = ballot_rows(form)
        shown = {"voter": [v for v, _ in rows], "vote": [x for _, x in rows]}
        values = ballot_values(rows)
    else:
        values = shown = form_values(form)
    submitted = Submitted(act, {**shown, "idempotency_key": received.key or ""})
    async with _sessionmaker(request)() as session:
        try:
            standard = await visible_standard(session, standard_id)
            await _check_may(session, principal, standard, act)
            comment_id = values.get("comment_id")
            comment = (
                await _comment_of(session, standard_id, comment_id)
                if act == "dispose_comment"
                else None
            )
            subject = f"{standard_id}/{comment_id or ''}"
            cmd = command_context(request, session, received, subject, act)
            await _perform(act, cmd, standard, comment, values)
        except NotFound:
            return render(request, "not_found.html", principal, 404)
        except DomainError as error:
            refuse(request, submitted, error, "standards", standard_id)
            return await show_standard(
                request, principal, standard_id, submitted, error.status_code
            )
    return after_act(request, f"/desk/standards/{standard_id}")


add_act_routes(router, "/desk/standards/{standard_id}", MODELS, standard_act, "standard_id")
