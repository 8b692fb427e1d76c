from fastapi import APIRouter

from recall.common.pagination import Cursor, Limit, Page
from recall.common.responses import refusals
from recall.cultivations import service
from recall.cultivations.access import RunnableCultivation, VisibleCultivation
from recall.cultivations.schemas import (
    CultivationCreate,
    CultivationOut,
    CultivationSummaryOut,
    CultivationTransitionIn,
)
from recall.deps import CommandDep, CurrentPrincipal, SessionDep

router = APIRouter(prefix="/brand-cultivations", tags=["brand cultivations"])

REFUSALS = refusals(
    forbidden="the caller may not enrol or advance cultivations of this programme",
    not_found="no such brand cultivation, or not visible to the caller",
    conflict="a skipped or repeated stage, or a second live cultivation",
)


@router.post("", status_code=201, response_model=CultivationOut, responses=REFUSALS)
async def create_cultivation(
    body: CultivationCreate,
    cmd: CommandDep,
):
    return await service.create_cultivation(cmd, data=body)


@router.get("", response_model=Page[CultivationSummaryOut])
async def list_cultivations(
    session: SessionDep,
    principal: CurrentPrincipal,
    programme_id: str | None = None,
    enterprise_id: str | None = None,
    stage: str | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
):
    items, next_cursor = await service.list_cultivations(
        session=session,
        principal=principal,
        programme_id=programme_id,
        enterprise_id=enterprise_id,
        stage=stage,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=items, next_cursor=next_cursor)


@router.get("/{cultivation_id}", response_model=CultivationOut, responses=REFUSALS)
async def get_cultivation(cultivation: VisibleCultivation, session: SessionDep):
    return await service.cultivation_view(session, cultivation.id)


@router.post("/{cultivation_id}/transitions", response_model=CultivationOut, responses=REFUSALS)
async def transition_cultivation(
    body: CultivationTransitionIn,
    cultivation: RunnableCultivation,
    cmd: CommandDep,
):
    return await service.transition(
        cmd,
        cultivation=cultivation,
        data=body,
    )
