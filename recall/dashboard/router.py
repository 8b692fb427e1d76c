"""The public dashboard reads: aggregates only, no personal or enterprise-identifying data."""

from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from recall.dashboard import service
from recall.dashboard.filters import parse_filter
from recall.deps import SessionDep

router = APIRouter(prefix="/dashboard", tags=["dashboard (public)"])

FROM = Query(None, alias="from", description="a date (China time) or an ISO time with offset")
TO = Query(None, description="a date (inclusive) or an ISO time with offset (exclusive)")


class StandardsPublished(BaseModel):
    group: int
    industry: int
    zhejiang_made: int
    local: int
    national: int


class Summary(BaseModel):
    hazards_eliminated: int
    hazards_open: int
    median_days_to_eliminate: float | None
    cases_by_stage: dict[str, int]
    overdue_cases: int
    associations_formed: int
    standards_published: StandardsPublished
    brand_enterprises_certified: int
    programmes_by_stage: dict[str, int]


class HazardGroup(BaseModel):
    key: str
    eliminated: int
    open: int


@router.get("", include_in_schema=False)
async def page(request: Request) -> RedirectResponse:
    """The HTML page lives at /dashboard; a client that reads the contract's table as
    /api/v1/dashboard is sent there with its query."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/dashboard{query}", status_code=307)


@router.get("/summary", response_model=Summary)
async def summary(
    session: SessionDep,
    region: str | None = None,
    industry: str | None = None,
    from_: str | None = FROM,
    to: str | None = TO,
):
    """Public figures, no token: hazards eliminated and open, median days to eliminate, cases
    by stage, overdue cases, associations, standards by kind, 品字标 certified, programmes."""
    return await service.summary(session, parse_filter(region, industry, from_, to))


@router.get("/hazards", response_model=list[HazardGroup])
async def hazards(
    session: SessionDep,
    group_by: Literal["month", "industry", "region", "category"] = "month",
    region: str | None = None,
    industry: str | None = None,
    from_: str | None = FROM,
    to: str | None = TO,
):
    """Public, no token: hazards eliminated and still open, grouped by month, industry, region
    or category, with the filters of the summary."""
    return await service.hazards_by(session, group_by, parse_filter(region, industry, from_, to))
