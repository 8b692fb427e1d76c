from fastapi import APIRouter

from recall.common.milestones import MilestoneOut
from recall.common.pagination import Cursor, Limit, Page
from recall.common.responses import refusals
from recall.deps import CommandDep, CurrentPrincipal, SessionDep
from recall.programmes import service
from recall.programmes.access import RunnableProgramme, VisibleProgramme
from recall.programmes.schemas import (
    ProgrammeCreate,
    ProgrammeOut,
    ProgrammeSummaryOut,
    WaiverIn,
)

router = APIRouter(prefix="/programmes", tags=["industry programmes"])

REFUSALS = refusals(
    forbidden="the caller may not run this programme",
    not_found="no such programme, or not visible to the caller",
    conflict="the programme's stages forbid this; detail says why",
)


@router.post("", status_code=201, response_model=ProgrammeOut, responses=REFUSALS)
async def create_programme(
    body: ProgrammeCreate,
    cmd: CommandDep,
):
    return await service.create_programme(cmd, data=body)


@router.get("", response_model=Page[ProgrammeSummaryOut])
async def list_programmes(
    session: SessionDep,
    principal: CurrentPrincipal,
    industry: str | None = None,
    stage: str | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
):
    items, next_cursor = await service.list_programmes(
        session=session,
        principal=principal,
        industry=industry,
        stage=stage,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=items, next_cursor=next_cursor)


@router.get("/{programme_id}", response_model=ProgrammeOut, responses=REFUSALS)
async def get_programme(programme: VisibleProgramme, session: SessionDep):
    return await service.programme_view(session, programme.id)


@router.get("/{programme_id}/milestones", response_model=Page[MilestoneOut], responses=REFUSALS)
async def programme_milestones(programme: VisibleProgramme, session: SessionDep):
    view = await service.programme_view(session, programme.id)
    return Page(items=view["milestones"], next_cursor=None)


@router.post("/{programme_id}/waivers", response_model=ProgrammeOut, responses=REFUSALS)
async def waive(
    body: WaiverIn,
    programme: RunnableProgramme,
    cmd: CommandDep,
):
    return await service.waive(cmd, programme=programme, data=body)
