"""/desk/programmes/{id}: the industry programme's chain as a stepper (each stage's status and
since when), its cases, associations, standards and brand cultivations as links with their own
stage, and the forms of the acts this person may do now: waive a stage, link an existing
association, form one, enrol an enterprise in brand cultivation, start another programme from
cases of the industry. Each act is one call of the service the API calls."""

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from recall.associations import service as associations
from recall.associations.schemas import AssociationCreate, AssociationLinkIn
from recall.auth import permissions
from recall.auth.audit import note_for_audit
from recall.auth.principal import Principal
from recall.commands import CommandContext
from recall.cultivations import service as cultivations
from recall.cultivations.schemas import CultivationCreate
from recall.dashboard.details import programme_page
from recall.dashboard.views import names
from recall.desk import case_page
from recall.desk.acts import add_act_routes
from recall.desk.chain_act import act, fresh, place
from recall.desk.chain_members import (
    associations_of,
    cultivating,
    cultivations_of,
    industry_enterprises,
    linkable_associations,
    standards_of,
    waivable_stages,
)
from recall.desk.chain_notes import programme_timeline
from recall.desk.chain_start import start_form, startable_cases
from recall.desk.forms import Submitted, parse
from recall.desk.pages import NotSignedIn, labels, person, render, to_login
from recall.errors import Forbidden, NotFound
from recall.programmes import service
from recall.programmes.access import visible_programme
from recall.programmes.models import Programme
from recall.programmes.schemas import ProgrammeCreate, WaiverIn

router = APIRouter(include_in_schema=False)

ACTS = ("waive_stage", "link_association", "create_association", "enrol_cultivation")
ORIGIN = re.compile(r"^/desk/(cases|programmes)/([A-Za-z0-9_-]{1,40})$")


def _sessionmaker(request: Request):
    return request.app.state.sessionmaker


def _stepper(page: dict) -> list[dict]:
    """The chain's stages with their codes and status beside the words of the dashboard page."""
    return [
        {**shown, "code": s["name"], "status": s["status"]}
        for shown, s in zip(page["stages"], page["programme"]["stages"], strict=True)
    ]


async def _forms(
    session: AsyncSession, principal: Principal, programme: dict, milestones: list[dict]
) -> tuple[dict[str, Submitted], dict[str, Any]]:
    """The acts this person may do now, as the API would take them, and their choices: running
    the programme (waive, link, form an association) needs a regulator of all its regions,
    enrolling one of any (recall.auth.permissions)."""
    regions = programme["region_codes"]
    run = permissions.may_run_programme(principal, regions)
    enrol = permissions.may_run_cultivation(principal, regions)
    enterprises = (
        await industry_enterprises(session, programme["industry_code"]) if run or enrol else []
    )
    choices: dict[str, Any] = {"stages": [], "associations": [], "founders": [], "enrollable": []}
    if run:
        choices["stages"] = waivable_stages(programme, milestones)
        choices["associations"] = await linkable_associations(session, programme["association_ids"])
        choices["founders"] = enterprises
    if enrol:
        busy = await cultivating(session, programme["id"])
        choices["enrollable"] = [(i, n) for i, n in enterprises if i not in busy]
    offered = {
        "waive_stage": choices["stages"],
        "link_association": choices["associations"],
        "create_association": choices["founders"],
        "enrol_cultivation": choices["enrollable"],
    }
    return {a: fresh(a) for a in ACTS if offered[a]}, choices


async def show_programme(
    request: Request,
    principal: Principal,
    programme_id: str,
    submitted: Submitted | None = None,
    status: int = 200,
) -> Response:
    t = labels(request)
    async with _sessionmaker(request)() as session:
        try:
            page = await programme_page(session, principal, programme_id, await names(session), t)
        except NotFound:
            return render(request, "not_found.html", principal, 404)
        programme = page["programme"]
        forms, choices = await _forms(session, principal, programme, page["milestones"])
        start = start_form(
            await startable_cases(session, principal, programme["industry_code"], t),
            programme["industry_code"],
            f"/desk/programmes/{programme_id}",
            submitted,
        )
        cultivated, hidden = await cultivations_of(session, principal, programme, t)
        context = {
            **page,
            "steps": _stepper(page),
            "cases": [
                {**c, "link": c["link"].replace("/dashboard/cases/", "/desk/cases/", 1)}
                for c in page["cases"]
            ],
            "associations": await associations_of(session, programme["association_ids"], t),
            "standards": await standards_of(session, programme["standard_ids"], t),
            "cultivations": cultivated,
            "hidden_cultivations": hidden,
            "hidden_cases": len(programme["case_ids"]) - len(page["cases"]),
            "milestones": programme_timeline(page["milestones"], t),
            "forms": forms,
            "choices": choices,
            "start": start,
        }
        await session.rollback()
    stray = None
    if submitted is not None and submitted.act != "start_programme":
        stray = place(forms, submitted)
    elif submitted is not None and start is None:
        stray = submitted.refusal
    context["stray_refusal"] = stray
    return render(request, "desk/programme.html", principal, status, **context)


@router.get("/desk/programmes/{programme_id}")
async def programme_desk(programme_id: str, request: Request) -> Response:
    try:
        principal = await person(request)
    except NotSignedIn:
        return to_login(request)
    return await show_programme(request, principal, programme_id)


async def _runnable(session: AsyncSession, principal: Principal, programme_id: str) -> Programme:
    """As the API's RunnableProgramme: unseen is 404, not allowed to run is 403."""
    programme = await visible_programme(session, principal, programme_id)
    if not permissions.may_run_programme(principal, programme.region_codes):
        raise Forbidden(
            f"a {principal.role} may not run programme {programme_id}: it needs "
            f"a regulator of {', '.join(programme.region_codes)}"
        )
    return programme


def _performer(programme_id: str, name: str):
    async def perform(session: AsyncSession, cmd: CommandContext, values: dict[str, Any]) -> str:
        principal = cmd.principal
        if name == "waive_stage":
            programme = await _runnable(session, principal, programme_id)
            await service.waive(cmd, programme=programme, data=parse(WaiverIn, values))
        elif name == "link_association":
            programme = await _runnable(session, principal, programme_id)
            data = parse(AssociationLinkIn, values)
            await associations.link_existing(
                cmd, programme=programme, association_id=data.association_id
            )
        elif name == "create_association":
            await visible_programme(session, principal, programme_id)
            data = parse(AssociationCreate, {**values, "programme_id": programme_id})
            await associations.create_association(cmd, data=data)
        else:
            await visible_programme(session, principal, programme_id)
            data = parse(CultivationCreate, {**values, "programme_id": programme_id})
            await cultivations.create_cultivation(cmd, data=data)
        return f"/desk/programmes/{programme_id}"

    return perform


async def programme_act(request: Request, programme_id: str, name: str) -> Response:
    async def show(principal: Principal, submitted: Submitted, status: int) -> Response:
        return await show_programme(request, principal, programme_id, submitted, status)

    return await act(
        request,
        act=name,
        object_type="programmes",
        object_id=programme_id,
        perform=_performer(programme_id, name),
        show=show,
    )


@router.post("/desk/programmes/start_programme", name="start_programme")
async def start_programme(request: Request) -> Response:
    """Start a programme from the cases ticked; a refusal goes back to the page the form was
    on (its hidden `origin`: a case's page or a programme's)."""
    holder: dict[str, str] = {}

    async def perform(session: AsyncSession, cmd: CommandContext, values: dict[str, Any]) -> str:
        holder["origin"] = str(values.get("origin") or "")
        created = await service.create_programme(cmd, data=parse(ProgrammeCreate, values))
        note_for_audit(request, "programmes", created["id"])
        return f"/desk/programmes/{created['id']}"

    async def show(principal: Principal, submitted: Submitted, status: int) -> Response:
        found = ORIGIN.match(holder.get("origin", ""))
        if found and found.group(1) == "cases":
            return await case_page.show_case(request, principal, found.group(2), submitted, status)
        if found:
            return await show_programme(request, principal, found.group(2), submitted, status)
        refusal = submitted.refusal
        return render(request, "desk/forbidden.html", principal, status, refusal=refusal)

    return await act(
        request,
        act="start_programme",
        object_type="programmes",
        object_id="",
        perform=perform,
        show=show,
    )


add_act_routes(router, "/desk/programmes/{programme_id}", ACTS, programme_act, "programme_id")
