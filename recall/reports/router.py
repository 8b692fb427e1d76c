from fastapi import APIRouter

from recall.common.pagination import Cursor, Limit, Page
from recall.deps import CurrentPrincipal, IdsDep, SessionDep
from recall.reports import service
from recall.reports.schemas import DefectReportIn, DefectReportOut, Source

router = APIRouter(tags=["defect reports"])


@router.post("/defect-reports", status_code=201, response_model=DefectReportOut)
async def create_report(
    body: DefectReportIn, session: SessionDep, principal: CurrentPrincipal, ids: IdsDep
):
    return await service.create_report(session=session, principal=principal, ids=ids, data=body)


@router.get("/defect-reports", response_model=Page[DefectReportOut])
async def list_reports(
    session: SessionDep,
    principal: CurrentPrincipal,
    source: Source | None = None,
    industry: str | None = None,
    region: str | None = None,
    q: str | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
):
    items, next_cursor = await service.list_reports(
        session=session,
        principal=principal,
        source=source,
        industry=industry,
        region=region,
        q=q,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=items, next_cursor=next_cursor)
