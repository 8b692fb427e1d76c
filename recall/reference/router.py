from fastapi import APIRouter

from recall.common.pagination import Cursor, Limit, Page
from recall.common.responses import reference_refusals
from recall.common.text import Filter
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


@router.post(
    "/regions",
    status_code=201,
    response_model=RegionOut,
    responses=reference_refusals(
        forbidden="only an admin creates regions",
        conflict="a region with this code exists (`field`: code)",
    ),
)
async def create_region(body: RegionIn, session: SessionDep, principal: CurrentPrincipal):
    """Add a region (行政区划): code and name. Admin only (else 403); a taken code is 409."""
    return await service.create_region(session=session, principal=principal, data=body)


@router.get("/regions", response_model=Page[RegionOut])
async def list_regions(
    session: SessionDep, _: CurrentPrincipal, limit: Limit = 50, cursor: Cursor = None
):
    """Every region (行政区划), a page at a time. Any signed-in caller."""
    items, next_cursor = await service.list_regions(session=session, limit=limit, cursor=cursor)
    return Page(items=items, next_cursor=next_cursor)


@router.post(
    "/industries",
    status_code=201,
    response_model=IndustryOut,
    responses=reference_refusals(
        forbidden="only an admin creates industries",
        conflict="an industry with this code exists (`field`: code)",
    ),
)
async def create_industry(body: IndustryIn, session: SessionDep, principal: CurrentPrincipal):
    """Add an industry (产业): code, name and keywords for matching reports. Admin only
    (else 403); a taken code is 409."""
    return await service.create_industry(session=session, principal=principal, data=body)


@router.get("/industries", response_model=Page[IndustryOut])
async def list_industries(
    session: SessionDep, _: CurrentPrincipal, limit: Limit = 50, cursor: Cursor = None
):
    """Every industry (产业), a page at a time. Any signed-in caller."""
    items, next_cursor = await service.list_industries(session=session, limit=limit, cursor=cursor)
    return Page(items=items, next_cursor=next_cursor)


@router.post(
    "/enterprises",
    status_code=201,
    response_model=EnterpriseOut,
    responses=reference_refusals(
        forbidden="only an admin or a regulator of its region registers an enterprise",
        conflict="an enterprise with this credit code exists (`field`: credit_code)",
    ),
)
async def create_enterprise(
    body: EnterpriseIn, session: SessionDep, principal: CurrentPrincipal, ids: IdsDep
):
    """Register an enterprise (企业): admin or a regulator of its region (else 403). A wrong
    check character of the credit code (统一社会信用代码) is 422; a known code is 409."""
    return await service.create_enterprise(session=session, principal=principal, ids=ids, data=body)


@router.get("/enterprises", response_model=Page[EnterpriseOut])
async def list_enterprises(
    session: SessionDep,
    _: CurrentPrincipal,
    industry: Filter = None,
    region: Filter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
):
    """Enterprises, optionally of one industry and region, a page at a time. Any signed-in
    caller."""
    items, next_cursor = await service.list_enterprises(
        session=session, industry=industry, region=region, limit=limit, cursor=cursor
    )
    return Page(items=items, next_cursor=next_cursor)
