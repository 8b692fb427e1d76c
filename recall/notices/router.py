"""/api/v1/recalls: the public recall notices as JSON, no token needed."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from recall.common.pagination import Cursor, Limit, Page
from recall.common.responses import errors
from recall.common.text import Filter
from recall.deps import SessionDep
from recall.notices import service
from recall.notices.schemas import NoticeOut
from recall.rules.limits import NAME

router = APIRouter(prefix="/recalls", tags=["recall notices (public)"])

Search = Annotated[
    str | None,
    Query(
        max_length=NAME,
        description="text in the number, the title, a product of the case's reports or an "
        "enterprise's name (case-insensitive; % and _ are themselves)",
    ),
]
Number = Annotated[str, Path(max_length=32, description="the notice's number, RC-2026-000123")]


@router.get("", response_model=Page[NoticeOut])
async def list_notices(
    session: SessionDep,
    q: Search = None,
    industry: Filter = None,
    region: Filter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
):
    """Public, no token: the published recall notices (召回公告), newest first. A case is
    published once it has a recall decision and its plan was accepted; never before. Search
    by product or enterprise name (`q`), filter by industry and region. No personal data."""
    items, next_cursor = await service.list_notices(
        session, q=q, industry=industry, region=region, limit=limit, cursor=cursor
    )
    return Page(items=items, next_cursor=next_cursor)


@router.get(
    "/{number}",
    response_model=NoticeOut,
    responses=errors({404: "no notice has this number (nor has a case whose plan is unaccepted)"}),
)
async def get_notice(number: Number, session: SessionDep):
    """Public, no token: one recall notice by its number: the product, the enterprises, the
    hazard in plain words, the remedy and what a consumer should do (zh and en), units affected,
    the correction rate, when it was published and last updated."""
    return await service.get_notice(session, number)
