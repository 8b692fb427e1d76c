"""The public figures, counted through this process's FigureCache: the same for every reader of
/api/v1/dashboard/* and of the dashboard page, so counted once for all of them.

Each count opens its own session: it outlives the request that started it when other readers
wait for it."""

import json
import math
from collections.abc import Awaitable, Callable
from datetime import datetime

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from recall.associations.models import Association
from recall.cases.models import Case, Hazard
from recall.cultivations.models import BrandCultivation
from recall.dashboard import service
from recall.dashboard.cache import Counted, FigureCache, watch_local_commits
from recall.dashboard.filters import DashboardFilter
from recall.dashboard.views import Public, names
from recall.programmes.models import Programme, ProgrammeMember, ProgrammeRegion
from recall.reference.models import Enterprise, Industry, Region
from recall.standards.models import Standard

# What the figures are counted from (service.py, and the names of places and industries).
FIGURE_TABLES = {
    model.__tablename__
    for model in (
        Association,
        BrandCultivation,
        Case,
        Enterprise,
        Hazard,
        Industry,
        Programme,
        ProgrammeMember,
        ProgrammeRegion,
        Region,
        Standard,
    )
}


def figure_cache(request: Request) -> FigureCache:
    """The app's cache, made at its first use with the app's settings."""
    state = request.app.state
    cache = getattr(state, "dashboard_figures", None)
    if cache is None:
        watch_local_commits(FIGURE_TABLES)
        settings = state.settings.dashboard
        cache = FigureCache(max_age=settings.max_age_seconds, max_keys=settings.max_keys)
        state.dashboard_figures = cache
    return cache


async def _counted(request: Request, key, count: Callable[[AsyncSession], Awaitable]) -> Counted:
    sessionmaker = request.app.state.sessionmaker

    async def run():
        async with sessionmaker() as session:
            return await count(session)

    return await figure_cache(request).get(key, run)


async def summary(request: Request, f: DashboardFilter) -> Counted:
    return await _counted(request, ("summary", f), lambda s: service.summary(s, f))


async def hazards_by(request: Request, group_by: str, f: DashboardFilter) -> Counted:
    return await _counted(
        request, ("hazards", group_by, f), lambda s: service.hazards_by(s, group_by, f)
    )


async def region_and_industry_names(request: Request) -> Counted:
    return await _counted(request, ("names",), names)


async def public(request: Request, f: DashboardFilter) -> Public:
    """The page's public figures: the summary, every grouping, the names of places and
    industries."""
    counted = (
        await summary(request, f),
        *[await hazards_by(request, g, f) for g in service.GROUPINGS],
        await region_and_industry_names(request),
    )
    groupings = dict(zip(service.GROUPINGS, (c.value for c in counted[1:-1]), strict=True))
    return Public(
        counted[0].value,
        groupings,
        counted[-1].value,
        min(c.as_of for c in counted),
        counted,
    )


def freshness_headers(request: Request, *counted: Counted) -> dict[str, str]:
    """Age: how old the oldest figure is, in whole seconds (as a shared cache would say);
    Cache-Control: how much longer it may be kept."""
    cache = figure_cache(request)
    age = max(cache.age(c) for c in counted)
    return {
        "Age": str(int(age)),
        "Cache-Control": f"public, max-age={max(0, math.floor(cache.max_age - age))}",
    }


def as_json(value) -> bytes:
    """As FastAPI's JSONResponse encodes it."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
