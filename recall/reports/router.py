from fastapi import APIRouter

from recall.common.pagination import Cursor, Limit, Page
from recall.common.text import Filter
from recall.deps import CurrentPrincipal, IdsDep, SessionDep
from recall.reports import service
from recall.reports.schemas import DefectReportIn, DefectReportOut, Source

router = APIRouter(tags=["defect reports"])


@router.post("/defect-reports", status_code=201, response_model=DefectReportOut)
async def create_report(
    body: DefectReportIn, session: SessionDep, principal: CurrentPrincipal, ids: IdsDep
):
    """File a defect report (缺陷报告): admin or a regulator of its region; an enterprise files
    only `enterprise_self_report` (else 403). Returns the report (201)."""
    return await service.create_report(session=session, principal=principal, ids=ids, data=body)


@router.get("/defect-reports", response_model=Page[DefectReportOut])
async def list_reports(
    session: SessionDep,
    principal: CurrentPrincipal,
    source: Source | None = None,
    industry: Filter = None,
    region: Filter = None,
    q: Filter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
):
    """The defect reports the caller may see (a regulator: its regions and overseas leads with
    no region; an enterprise: its own), by source, industry, region or text `q`."""
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
