from fastapi import APIRouter

from recall.common.pagination import Cursor, Limit, Page
from recall.deps import CurrentPrincipal, IdsDep, SessionDep
from recall.reference import service
from recall.reference.schemas import (
    EnterpriseIn,
    EnterpriseOut,
    IndustryIn,
    IndustryOut,
    RegionIn,
    RegionOut,
)

router = APIRouter(tags=["reference data"])


@router.post("/regions", status_code=201, response_model=RegionOut)
async def create_region(body: RegionIn, session: SessionDep, principal: CurrentPrincipal):
    return await service.create_region(session=session, principal=principal, data=body)


@router.get("/regions", response_model=Page[RegionOut])
async def list_regions(
    session: SessionDep, _: CurrentPrincipal, limit: Limit = 50, cursor: Cursor = None
):
    items, next_cursor = await service.list_regions(session=session, limit=limit, cursor=cursor)
    return Page(items=items, next_cursor=next_cursor)


@router.post("/industries", status_code=201, response_model=IndustryOut)
async def create_industry(body: IndustryIn, session: SessionDep, principal: CurrentPrincipal):
    return await service.create_industry(session=session, principal=principal, data=body)


@router.get("/industries", response_model=Page[IndustryOut])
async def list_industries(
    session: SessionDep, _: CurrentPrincipal, limit: Limit = 50, cursor: Cursor = None
):
    items, next_cursor = await service.list_industries(session=session, limit=limit, cursor=cursor)
    return Page(items=items, next_cursor=next_cursor)


@router.post("/enterprises", status_code=201, response_model=EnterpriseOut)
async def create_enterprise(
    body: EnterpriseIn, session: SessionDep, principal: CurrentPrincipal, ids: IdsDep
):
    return await service.create_enterprise(session=session, principal=principal, ids=ids, data=body)


@router.get("/enterprises", response_model=Page[EnterpriseOut])
async def list_enterprises(
    session: SessionDep,
    _: CurrentPrincipal,
    industry: str | None = None,
    region: str | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
):
    items, next_cursor = await service.list_enterprises(
        session=session, industry=industry, region=region, limit=limit, cursor=cursor
    )
    return Page(items=items, next_cursor=next_cursor)
