"""Defect reports: filed by people or imported from overseas notices."""

from sqlalchemy import false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from recall.auth import permissions
from recall.auth.principal import Principal
from recall.common.ids import IdFactory
from recall.common.pagination import keyset_page
from recall.common.search import grams_of, plan_for_search, text_match
from recall.common.sql import json_array_contains
from recall.common.types import in_the_future, utcnow
from recall.errors import Forbidden, InvalidField
from recall.reference.models import Enterprise
from recall.reference.service import require_industry, require_region
from recall.reports.models import DefectReport
from recall.reports.schemas import DefectReportIn
from recall.rules.case_rules import HAZARD_CATEGORIES


async def require_enterprises(session: AsyncSession, ids: list[str], field: str) -> None:
    if not ids:
        return
    found = set(
        (await session.execute(select(Enterprise.id).where(Enterprise.id.in_(ids)))).scalars()
    )
    missing = [i for i in ids if i not in found]
    if missing:
        raise InvalidField(f"unknown enterprise(s): {', '.join(missing)}", field=field)


def scope_reports(stmt, principal: Principal, dialect: str):
    """Only the defect reports the principal may see (see permissions.can_see_report)."""
    if principal.is_admin:
        return stmt
    if principal.role == "regulator":
        return stmt.where(
            or_(DefectReport.region_code.is_(None), DefectReport.region_code.in_(principal.regions))
        )
    if principal.role == "enterprise":
        return stmt.where(
            json_array_contains(dialect, DefectReport.enterprise_ids, principal.enterprise_id)
        )
    return stmt.where(false())


async def _require_own_self_report(
    session: AsyncSession, principal: Principal, data: DefectReportIn
) -> None:
    """An enterprise reports on itself only: in its own region, naming no other enterprise."""
    others = [e for e in data.enterprise_ids if e != principal.enterprise_id]
    if others:
        raise Forbidden(
            f"an enterprise files self-reports about itself only, not {', '.join(others)}",
            field="enterprise_ids",
        )
    own = await session.get(Enterprise, principal.enterprise_id)
    if own is None or data.region_code != own.region_code:
        raise Forbidden(
            f"an enterprise files self-reports in its own region "
            f"({own.region_code if own else 'unknown'}), not {data.region_code}",
            field="region_code",
        )


async def create_report(
    *, session: AsyncSession, principal: Principal, ids: IdFactory, data: DefectReportIn
) -> DefectReport:
    if not permissions.may_file_report(principal, data.source, data.region_code):
        if principal.role == "enterprise":
            raise Forbidden("an enterprise files defect reports as enterprise_self_report only")
        raise Forbidden(f"a {principal.role} may not file a report in region {data.region_code}")
    if principal.role == "enterprise":
        await _require_own_self_report(session, principal, data)
        data = data.model_copy(update={"enterprise_ids": [principal.enterprise_id]})
    await require_industry(session, data.industry_code, "industry_code")
    await require_region(session, data.region_code, "region_code")
    await require_enterprises(session, data.enterprise_ids, "enterprise_ids")
    if data.hazard_category is not None and data.hazard_category not in HAZARD_CATEGORIES:
        raise InvalidField(
            f"hazard_category must be one of {', '.join(HAZARD_CATEGORIES)}",
            field="hazard_category",
        )
    now = utcnow()
    if in_the_future(data.received_at):
        raise InvalidField("received_at is in the future", field="received_at")
    report_id = ids.new("dr")
    if (existing := await session.get(DefectReport, report_id)) is not None:
        return existing  # the same Idempotency-Key again after a lost response
    report = DefectReport(
        id=report_id,
        source=data.source,
        product=data.product,
        description=data.description,
        industry_code=data.industry_code,
        region_code=data.region_code,
        enterprise_ids=list(dict.fromkeys(data.enterprise_ids)),
        hazard_category=data.hazard_category,
        received_at=data.received_at or now,
        created_by=principal.actor,
        created_at=now,
    )
    session.add(report)
    await session.commit()
    return report


def report_matches(dialect: str, q: str):
    """A report whose product or description holds q (recall.common.search)."""
    columns = (DefectReport.product, DefectReport.description)
    return text_match(dialect, q, columns, grams_of(*columns))


async def list_reports(
    *,
    session: AsyncSession,
    principal: Principal,
    source: str | None,
    industry: str | None,
    region: str | None,
    q: str | None,
    limit: int,
    cursor: str | None,
):
    dialect = session.bind.dialect.name
    stmt = scope_reports(select(DefectReport), principal, dialect)
    if source:
        stmt = stmt.where(DefectReport.source == source)
    if industry:
        stmt = stmt.where(DefectReport.industry_code == industry)
    if region:
        stmt = stmt.where(DefectReport.region_code == region)
    if q:
        stmt = stmt.where(report_matches(dialect, q))
        await plan_for_search(session)
    return await keyset_page(
        session,
        stmt,
        [DefectReport.created_at, DefectReport.id],
        limit=limit,
        cursor=cursor,
        descending=True,
    )
