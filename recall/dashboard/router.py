"""The public dashboard reads: aggregates only, no personal or enterprise-identifying data."""

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from recall.dashboard import figures
from recall.dashboard.filters import parse_filter

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
    as_of: datetime = Field(
        description="when these figures were counted (UTC); the Age header says how long ago"
    )


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


FRESHNESS = {
    "Age": {"description": "seconds since the figures were counted", "schema": {"type": "integer"}},
    "Cache-Control": {"description": "public, max-age: how long they stay current"},
}


@router.get("/summary", response_model=Summary, responses={200: {"headers": FRESHNESS}})
async def summary(
    request: Request,
    region: str | None = None,
    industry: str | None = None,
    from_: str | None = FROM,
    to: str | None = TO,
):
    """Public figures, no token: hazards eliminated and open, median days to eliminate, cases
    by stage, overdue cases, associations, standards by kind, 品字标 certified, programmes.
    Counted at most every few seconds for all readers: `as_of` and `Age` say when."""
    counted = await figures.summary(request, parse_filter(region, industry, from_, to))
    body = figures.as_json({**counted.value, "as_of": figures.iso(counted.as_of)})
    headers = figures.freshness_headers(request, counted)
    return Response(body, media_type="application/json", headers=headers)


@router.get("/hazards", response_model=list[HazardGroup], responses={200: {"headers": FRESHNESS}})
async def hazards(
    request: Request,
    group_by: Literal["month", "industry", "region", "category"] = "month",
    region: str | None = None,
    industry: str | None = None,
    from_: str | None = FROM,
    to: str | None = TO,
):
    """Public, no token: hazards eliminated and still open, grouped by month, industry, region
    or category, with the filters of the summary. Counted at most every few seconds for all
    readers: the `Age` header says how long ago."""
    f = parse_filter(region, industry, from_, to)
    counted = await figures.hazards_by(request, group_by, f)
    headers = figures.freshness_headers(request, counted)
    return Response(figures.as_json(counted.value), media_type="application/json", headers=headers)
