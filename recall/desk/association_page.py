"""/desk/associations/{id}: an industry association (行业协会) with its founders, status,
registration number, the standards it drafts and the programmes it belongs to, and its next
step (`transition`) for those the API lets take it: the association's own people and the
regulators of its founders' regions (recall.auth.permissions.may_change_association). The
step to `registered` needs a well-formed registration number (recall.rules.registration_no)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from recall.associations import service
from recall.associations.access import changeable_association, get_association
from recall.associations.schemas import AssociationTransitionIn
from recall.auth import permissions
from recall.auth.principal import Principal
from recall.commands import CommandContext
from recall.dashboard.views import when
from recall.desk.acts import add_act_routes
from recall.desk.chain_act import act, fresh, place
from recall.desk.chain_members import drafted_by, enterprise_names, programme_titles, steps
from recall.desk.chain_notes import member_timeline
from recall.desk.forms import Submitted, parse
from recall.desk.pages import NotSignedIn, labels, person, render, to_login
from recall.errors import NotFound
from recall.rules.ordered_stages import ASSOCIATION

router = APIRouter(include_in_schema=False)

ACTS = ("transition",)


def _sessionmaker(request: Request):
    return request.app.state.sessionmaker


def may_change(principal: Principal, association: dict) -> bool:
    return permissions.may_change_association(
        principal, association["id"], association["region_codes"]
    )


async def show_association(
    request: Request,
    principal: Principal,
    association_id: str,
    submitted: Submitted | None = None,
    status: int = 200,
) -> Response:
    t = labels(request)
    async with _sessionmaker(request)() as session:
        try:
            await get_association(session, association_id)
        except NotFound:
            return render(request, "not_found.html", principal, 404)
        view = await service.association_view(session, association_id)
        founders = await enterprise_names(session, view["founding_enterprise_ids"])
        programmes = await programme_titles(session, principal, view["programme_ids"])
        names = {**founders, **programmes}
        milestones = member_timeline(view["milestones"], t, "association_stage", names)
        standards = await drafted_by(session, association_id, t)
        await session.rollback()
    next_stage = ASSOCIATION.next_after(view["status"])
    forms = {}
    if next_stage and may_change(principal, view):
        forms["transition"] = fresh("transition")
    stray = place(forms, submitted)
    return render(
        request,
        "desk/association.html",
        principal,
        status,
        association=view,
        stage=t.code("association_stage", view["status"]),
        steps=steps(ASSOCIATION.stages, view["status"], t, "association_stage"),
        founders=list(founders.values()),
        programmes=[
            {"id": i, "title": title, "link": f"/desk/programmes/{i}"}
            for i, title in programmes.items()
        ],
        standards=standards,
        registered_at=when(view["registered_at"]),
        next_stage=next_stage,
        needs=ASSOCIATION.required.get(next_stage or ""),
        forms=forms,
        milestones=milestones,
        stray_refusal=stray,
    )


@router.get("/desk/associations/{association_id}")
async def association_desk(association_id: str, request: Request) -> Response:
    try:
        principal = await person(request)
    except NotSignedIn:
        return to_login(request)
    return await show_association(request, principal, association_id)


async def association_act(request: Request, association_id: str, name: str) -> Response:
    async def perform(session: AsyncSession, cmd: CommandContext, values: dict[str, Any]) -> str:
        association = await changeable_association(session, cmd.principal, association_id)
        data = parse(AssociationTransitionIn, values)
        await service.transition(cmd, association=association, data=data)
        return f"/desk/associations/{association_id}"

    async def show(principal: Principal, submitted: Submitted, status: int) -> Response:
        return await show_association(request, principal, association_id, submitted, status)

    return await act(
        request,
        act=name,
        object_type="associations",
        object_id=association_id,
        perform=perform,
        show=show,
    )


add_act_routes(
    router, "/desk/associations/{association_id}", ACTS, association_act, "association_id"
)
