"""/desk/cases/{id}: the case with one form for each act this person may do now, and the acts
sent from those forms. An act goes through the same service functions as the API, so it meets
the same rules, the same workflow and the same audit trail; a refused act shows its form again with
the person's input and the reason."""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from recall.auth import permissions
from recall.auth.models import AuditEntry
from recall.auth.principal import Principal
from recall.cases import schemas, service
from recall.cases.access import case_for, eliminable_hazard
from recall.commands import CommandContext
from recall.dashboard.details import case_page
from recall.dashboard.views import names, when
from recall.desk.acts import add_act_routes, command_context, receive, refuse
from recall.desk.case_acts import CASE_ACTS, HAZARD_ACTS, case_acts, hazard_acts
from recall.desk.chain_start import start_form, startable_cases
from recall.desk.forms import (
    Submitted,
    form_values,
    new_idempotency_key,
    parse,
    uploads,
)
from recall.desk.pages import (
    NotSignedIn,
    after_act,
    labels,
    person,
    render,
    to_login,
)
from recall.errors import DomainError, NotFound
from recall.files.service import describe_files, store_file
from recall.reference.models import Enterprise
from recall.rules.case_rules import HAZARD_CATEGORIES, REMEDIES
from recall.rules.risk import PROBABILITIES, SEVERITIES, risk_level

router = APIRouter(include_in_schema=False)

MODELS: dict[str, type[BaseModel]] = {
    "assess": schemas.AssessmentIn,
    "decide": schemas.DecisionIn,
    "submit_plan": schemas.PlanIn,
    "accept_plan": schemas.PlanAcceptanceIn,
    "return_plan": schemas.PlanReturnIn,
    "add_hazard": schemas.HazardIn,
    "eliminate_hazard": schemas.EliminationIn,
    "reopen_hazard": schemas.ReopeningIn,
    "report_progress": schemas.ProgressIn,
    "verify": schemas.VerificationIn,
    "close": schemas.ClosureIn,
}
WITH_FILES = ("eliminate_hazard", "report_progress")
AUDIT_ROWS = 50


def _sessionmaker(request: Request):
    return request.app.state.sessionmaker


async def _enterprise_choices(session: AsyncSession, case: dict) -> list[tuple[str, str]]:
    """Enterprises a hazard may be recorded for: the case's own and its industry's."""
    stmt = select(Enterprise).order_by(Enterprise.name).limit(500)
    if case["industry_code"]:
        stmt = stmt.where(
            (Enterprise.industry_code == case["industry_code"])
            | Enterprise.id.in_(case["enterprise_ids"])
        )
    return [(e.id, e.name) for e in (await session.execute(stmt)).scalars()]


async def _audit(session: AsyncSession, principal: Principal, case: dict, t) -> list[dict]:
    """The audit trail of the case, for its region's regulators and admins."""
    if not (principal.is_admin or permissions.in_regions(principal, case["region_code"])):
        return []
    rows = await session.execute(
        select(AuditEntry)
        .where(AuditEntry.object_id == case["id"])
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(AUDIT_ROWS)
    )
    return [
        {
            "at": when(a.at),
            "actor": a.actor,
            "action": t(f"act.{a.action}") if t.knows("act", a.action) else a.action,
            "status": t("audit.done") if a.status_code < 400 else a.status_code,
            "detail": a.detail if a.status_code >= 400 else "",
        }
        for a in rows.scalars()
    ]


def _due_dates(case: dict, t) -> list[dict]:
    now = datetime.now(UTC)
    out = []
    for d in case.get("deadlines") or []:
        due = d["due_at"]
        if isinstance(due, str):
            due = datetime.fromisoformat(due)
        days = (due - now).total_seconds() / 86400
        out.append(
            {
                "kind": t.code("deadline", d["kind"]),
                "date": due.date().isoformat(),
                "at": when(due),
                "overdue": bool(d.get("overdue")) or days < 0,
                "left": t("due.left", days=f"{days:.0f}") if days >= 0 else t("due.late"),
            }
        )
    return out


def _fresh(act: str, hazard_id: str | None = None) -> Submitted:
    return Submitted(act, {"idempotency_key": new_idempotency_key()}, hazard_id=hazard_id)


async def show_case(
    request: Request,
    principal: Principal,
    case_id: str,
    submitted: Submitted | None = None,
    status: int = 200,
) -> Response:
    t = labels(request)
    async with _sessionmaker(request)() as session:
        try:
            page = await case_page(session, principal, case_id, await names(session), t)
        except NotFound:
            return render(request, "not_found.html", principal, 404)
        case = page["case"]
        files = await describe_files(
            session, [f for h in case["hazards"] for f in h.get("evidence_file_ids") or []]
        )
        forms = {act: _fresh(act) for act in case_acts(principal, case)}
        hazards = []
        for h, shown in zip(case["hazards"], page["hazards"], strict=True):
            acts = {act: _fresh(act, h["id"]) for act in hazard_acts(principal, case, h)}
            if submitted and submitted.hazard_id == h["id"] and submitted.act in acts:
                acts[submitted.act] = submitted
            hazards.append(
                {
                    **shown,
                    "id": h["id"],
                    "evidence": h.get("evidence"),
                    "files": [files[f] for f in h.get("evidence_file_ids") or [] if f in files],
                    "forms": acts,
                }
            )
        placed = any(submitted is f for h in hazards for f in h["forms"].values())
        if submitted and not submitted.hazard_id and submitted.act in CASE_ACTS:
            forms[submitted.act] = submitted  # shown even if the case moved on meanwhile
            placed = True
        start = None  # a case in no programme yet: start one from it (recall.desk.chain_start)
        if not case["programme_id"]:
            cases = await startable_cases(session, principal, case["industry_code"], t)
            start = start_form(cases, case["industry_code"], f"/desk/cases/{case_id}",
                               submitted, case_ids=[case_id], required=case_id)  # fmt: skip
            placed = placed or bool(start and start["f"] is submitted)
        context = {
            **page,
            "hazards": hazards,
            "forms": forms,
            "submitted": submitted,
            # a refusal whose form is not on the page now (e.g. its hazard moved on)
            "stray_refusal": submitted.refusal if submitted and not placed else None,
            "enterprise_choices": await _enterprise_choices(session, case)
            if "add_hazard" in forms
            else [],
            "start": start,
            "due": _due_dates(case, t),
            "audit": await _audit(session, principal, case, t),
            "matrix": [(p, [risk_level(s, p) for s in SEVERITIES]) for p in PROBABILITIES],
            "severities": SEVERITIES,
            "probabilities": PROBABILITIES,
            "remedies": REMEDIES,
            "categories": HAZARD_CATEGORIES,
        }
        await session.rollback()
    return render(request, "desk/case.html", principal, status, **context)


@router.get("/desk/cases/{case_id}")
async def case_desk(case_id: str, request: Request) -> Response:
    try:
        principal = await person(request)
    except NotSignedIn:
        return to_login(request)
    return await show_case(request, principal, case_id)


async def _perform(
    act: str, cmd: CommandContext, case, hazard, hazard_id: str | None, values: dict[str, Any]
) -> None:
    data = parse(MODELS[act], values)
    if act in ("add_hazard",):
        await service.add_hazard(cmd, case, data)
    elif act == "return_plan":
        await service.return_plan(cmd, case, data)
    elif act in HAZARD_ACTS:
        if act == "eliminate_hazard":
            await service.eliminate_hazard(cmd, case, hazard, data)
        else:
            await service.reopen_hazard(cmd, case, hazard_id, data)
    else:
        await service.act(act, cmd, case, data.model_dump())


async def _store_uploads(session, form, principal: Principal, values: dict[str, Any]) -> None:
    """Files sent with the act are stored first; the act then cites them by id."""
    ids = list(values.get("evidence_file_ids") or [])
    for upload in uploads(form):
        stored = await store_file(
            session, name=upload.filename or "file", data=await upload.read(), principal=principal
        )
        ids.append(stored.id)
    if ids:
        values["evidence_file_ids"] = ids


async def case_act(request: Request, case_id: str, act: str) -> Response:
    received = await receive(request, "cases", case_id)
    if isinstance(received, Response):
        return received
    principal, values = received.principal, form_values(received.form)
    hazard_id = received.field("hazard_id")
    submitted = Submitted(act, {**values, "idempotency_key": received.key or ""}, hazard_id)
    async with _sessionmaker(request)() as session:
        try:
            # the API's guards: the role decides here (403), the stage is the workflow's to refuse
            case = await case_for(session, principal, case_id, act)
            hazard = (
                await eliminable_hazard(session, principal, case, hazard_id)
                if act == "eliminate_hazard"
                else None
            )
            if act in WITH_FILES:
                await _store_uploads(session, received.form, principal, values)
                submitted.values["evidence_file_ids"] = values.get("evidence_file_ids", [])
            cmd = command_context(request, session, received, f"{case_id}/{hazard_id or ''}", act)
            await _perform(act, cmd, case, hazard, hazard_id, values)
        except NotFound:
            return render(request, "not_found.html", principal, 404)
        except DomainError as error:
            refuse(request, submitted, error, "cases", case_id)
            return await show_case(request, principal, case_id, submitted, error.status_code)
    return after_act(request, f"/desk/cases/{case_id}")


add_act_routes(router, "/desk/cases/{case_id}", MODELS, case_act, "case_id")
