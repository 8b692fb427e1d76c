"""/desk/reports: the defect reports and overseas leads of the person's regions that are in no
case yet, filtered and searched; a regulator picks one or more and opens a case from them."""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import or_, select

from recall.auth import permissions
from recall.auth.audit import note_for_audit
from recall.auth.principal import Principal
from recall.cases import service
from recall.cases.schemas import CaseCreate
from recall.common.search import plan_for_search
from recall.dashboard.views import names, when
from recall.desk.acts import add_act_routes, command_context, receive, refuse
from recall.desk.forms import Submitted, form_values, new_idempotency_key, parse
from recall.desk.pages import (
    NotSignedIn,
    after_act,
    forbidden_page,
    labels,
    person,
    render,
    to_login,
)
from recall.errors import DomainError, Forbidden
from recall.reports.models import DefectReport
from recall.reports.schemas import Source
from recall.reports.service import report_matches, scope_reports

router = APIRouter(include_in_schema=False)
SHOWN = 200  # reports on one page; the filters narrow the rest
SOURCES = Source.__args__


def _may_triage(principal: Principal) -> bool:
    return principal.is_admin or principal.role == "regulator"


def _filters(request: Request) -> dict[str, str]:
    p = request.query_params
    return {k: p.get(k, "").strip()[:200] for k in ("source", "industry", "region", "q")}


async def show_reports(
    request: Request, principal: Principal, submitted: Submitted | None = None, status: int = 200
) -> Response:
    t, f = labels(request), _filters(request)
    picked = set(submitted.values.get("defect_report_ids") or []) if submitted else set()
    async with request.app.state.sessionmaker() as session:
        # a refused form keeps its ticked reports, even those its own try claimed meanwhile
        free = DefectReport.case_id.is_(None)
        stmt = scope_reports(
            select(DefectReport).where(
                or_(free, DefectReport.id.in_(list(picked)[:100])) if picked else free
            ),
            principal,
            session.bind.dialect.name,
        )
        if f["source"]:
            stmt = stmt.where(DefectReport.source == f["source"])
        if f["industry"]:
            stmt = stmt.where(DefectReport.industry_code == f["industry"])
        if f["region"]:
            stmt = stmt.where(DefectReport.region_code == f["region"])
        if f["q"]:  # the API's search (recall.common.search)
            stmt = stmt.where(report_matches(session.bind.dialect.name, f["q"]))
            await plan_for_search(session)
        stmt = stmt.order_by(DefectReport.received_at.desc(), DefectReport.id).limit(SHOWN + 1)
        rows = list((await session.execute(stmt)).scalars())
        n = await names(session)
        reports = [
            {
                "id": r.id,
                "source": t.code("source", r.source),
                "product": r.product,
                "description": r.description,
                "industry": n.industry(r.industry_code, t.lang) if r.industry_code else "",
                "region": n.region(r.region_code) if r.region_code else t("reports.none_region"),
                "received": when(r.received_at),
                "picked": r.id in picked,
            }
            for r in rows[:SHOWN]
        ]
        await session.rollback()
    form = submitted or Submitted("open_case", {"idempotency_key": new_idempotency_key()})
    regions = (
        sorted(n.regions.items())
        if principal.is_admin
        else [(code, n.region(code)) for code in principal.regions]
    )
    return render(
        request,
        "desk/reports.html",
        principal,
        status,
        reports=reports,
        more=len(rows) > SHOWN,
        filters=f,
        sources=SOURCES,
        names=n,
        region_choices=regions,
        form=form,
    )


@router.get("/desk/reports")
async def reports(request: Request) -> Response:
    try:
        principal = await person(request)
    except NotSignedIn:
        return to_login(request)
    if not _may_triage(principal):
        return forbidden_page(request, principal, Forbidden("only regulators triage reports"))
    return await show_reports(request, principal)


async def open_case(request: Request, _: str, act: str) -> Response:
    received = await receive(request, "cases", "")
    if isinstance(received, Response):
        return received
    principal, values = received.principal, form_values(received.form)
    submitted = Submitted(act, {**values, "idempotency_key": received.key or ""})
    async with request.app.state.sessionmaker() as session:
        try:
            if not _may_triage(principal):
                raise Forbidden("only regulators open cases")
            data = parse(CaseCreate, values)
            if data.region_code and not permissions.may_open_case(principal, data.region_code):
                raise Forbidden(f"region {data.region_code} is not one of yours")
            cmd = command_context(request, session, received, "reports", act)
            case = await service.open_case(cmd, data)
        except DomainError as error:
            refuse(request, submitted, error, "cases", "")
            if isinstance(error, Forbidden):
                return forbidden_page(request, principal, error)
            return await show_reports(request, principal, submitted, error.status_code)
    note_for_audit(request, "cases", case["id"])
    return after_act(request, f"/desk/cases/{case['id']}")


add_act_routes(router, "/desk/reports", ["open_case"], open_case)
