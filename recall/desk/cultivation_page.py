"""/desk/brand-cultivations/{id}: one enterprise on its way to the "品字标浙江制造" mark, its steps
and its next one (`transition`) for the regulators of the programme's regions
(recall.auth.permissions.may_run_cultivation). The enterprise sees its own cultivation; no one
else but them (and admins) does: 404. Certifying needs a certificate number."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from recall.auth import permissions
from recall.auth.principal import Principal
from recall.commands import CommandContext
from recall.cultivations import service
from recall.cultivations.access import (
    programme_regions,
    runnable_cultivation,
    visible_cultivation,
)
from recall.cultivations.schemas import CultivationTransitionIn
from recall.dashboard.views import when
from recall.desk.acts import add_act_routes
from recall.desk.chain_act import act, fresh, place
from recall.desk.chain_members import enterprise_names, programme_titles, steps
from recall.desk.chain_notes import member_timeline
from recall.desk.forms import Submitted, parse
from recall.desk.pages import NotSignedIn, labels, person, render, to_login
from recall.errors import NotFound
from recall.rules.ordered_stages import CULTIVATION

router = APIRouter(include_in_schema=False)

ACTS = ("transition",)


def _sessionmaker(request: Request):
    return request.app.state.sessionmaker


async def show_cultivation(
    request: Request,
    principal: Principal,
    cultivation_id: str,
    submitted: Submitted | None = None,
    status: int = 200,
) -> Response:
    t = labels(request)
    async with _sessionmaker(request)() as session:
        try:
            await visible_cultivation(session, principal, cultivation_id)
        except NotFound:
            return render(request, "not_found.html", principal, 404)
        view = await service.cultivation_view(session, cultivation_id)
        regions = await programme_regions(session, view["programme_id"])
        enterprise = await enterprise_names(session, [view["enterprise_id"]])
        programme = await programme_titles(session, principal, [view["programme_id"]])
        milestones = member_timeline(
            view["milestones"], t, "cultivation_stage", {**enterprise, **programme}
        )
        await session.rollback()
    next_stage = CULTIVATION.next_after(view["stage"])
    forms = {}
    if next_stage and permissions.may_run_cultivation(principal, regions):
        forms["transition"] = fresh("transition")
    stray = place(forms, submitted)
    return render(
        request,
        "desk/cultivation.html",
        principal,
        status,
        cultivation=view,
        enterprise=enterprise[view["enterprise_id"]],
        programme={
            "title": programme[view["programme_id"]],
            "link": f"/desk/programmes/{view['programme_id']}",
        }
        if view["programme_id"] in programme
        else None,
        stage=t.code("cultivation_stage", view["stage"]),
        steps=steps(CULTIVATION.stages, view["stage"], t, "cultivation_stage"),
        certified_at=when(view["certified_at"]),
        next_stage=next_stage,
        needs=CULTIVATION.required.get(next_stage or ""),
        forms=forms,
        milestones=milestones,
        stray_refusal=stray,
    )


@router.get("/desk/brand-cultivations/{cultivation_id}")
async def cultivation_desk(cultivation_id: str, request: Request) -> Response:
    try:
        principal = await person(request)
    except NotSignedIn:
        return to_login(request)
    return await show_cultivation(request, principal, cultivation_id)


async def cultivation_act(request: Request, cultivation_id: str, name: str) -> Response:
    async def perform(session: AsyncSession, cmd: CommandContext, values: dict[str, Any]) -> str:
        cultivation = await runnable_cultivation(session, cmd.principal, cultivation_id)
        data = parse(CultivationTransitionIn, values)
        await service.transition(cmd, cultivation=cultivation, data=data)
        return f"/desk/brand-cultivations/{cultivation_id}"

    async def show(principal: Principal, submitted: Submitted, status: int) -> Response:
        return await show_cultivation(request, principal, cultivation_id, submitted, status)

    return await act(
        request,
        act=name,
        object_type="brand-cultivations",
        object_id=cultivation_id,
        perform=perform,
        show=show,
    )


add_act_routes(
    router, "/desk/brand-cultivations/{cultivation_id}", ACTS, cultivation_act, "cultivation_id"
)
