"""Regions, industries and enterprises."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from recall.auth import permissions
from recall.auth.principal import Principal
from recall.common.ids import IdFactory
from recall.common.pagination import keyset_page
from recall.errors import Conflict, Forbidden, InvalidField
from recall.reference.models import Enterprise, Industry, Region
from recall.reference.schemas import EnterpriseIn, IndustryIn, RegionIn
from recall.rules.credit_code import credit_code_error, normalise_credit_code


async def _commit_or_conflict(session: AsyncSession, detail: str, *, field: str) -> None:
    """Commit a new row whose key another request may have taken since it was looked up: the
    database's unique key decides, and the loser is a 409 naming the field, never a 500."""
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict(detail, field=field) from None


def _require_admin(principal: Principal, what: str) -> None:
    if not permissions.may_manage_reference_data(principal):
        raise Forbidden(f"only an admin may create {what}")


async def create_region(*, session: AsyncSession, principal: Principal, data: RegionIn) -> Region:
    _require_admin(principal, "regions")
    if await session.get(Region, data.code):
        raise Conflict(f"region {data.code} already exists", field="code")
    region = Region(code=data.code, name=data.name)
    session.add(region)
    await _commit_or_conflict(session, f"region {data.code} already exists", field="code")
    return region


async def create_industry(
    *, session: AsyncSession, principal: Principal, data: IndustryIn
) -> Industry:
    _require_admin(principal, "industries")
    if await session.get(Industry, data.code):
        raise Conflict(f"industry {data.code} already exists", field="code")
    keywords = [k.strip() for k in data.keywords if k.strip()]
    industry = Industry(code=data.code, name=data.name, name_en=data.name_en, keywords=keywords)
    session.add(industry)
    await _commit_or_conflict(session, f"industry {data.code} already exists", field="code")
    return industry


async def require_region(session: AsyncSession, code: str | None, field: str) -> None:
    if code is None or await session.get(Region, code) is None:
        raise InvalidField(f"unknown region '{code}'", field=field)


async def require_industry(session: AsyncSession, code: str | None, field: str) -> None:
    if code is None or await session.get(Industry, code) is None:
        raise InvalidField(f"unknown industry '{code}'", field=field)


async def create_enterprise(
    *, session: AsyncSession, principal: Principal, ids: IdFactory, data: EnterpriseIn
) -> Enterprise:
    code = normalise_credit_code(data.credit_code)
    if reason := credit_code_error(code):
        raise InvalidField(f"credit_code {reason}", field="credit_code")
    await require_region(session, data.region_code, "region_code")
    await require_industry(session, data.industry_code, "industry_code")
    if not permissions.may_register_enterprise(principal, data.region_code):
        raise Forbidden(f"a {principal.role} may not register enterprises in {data.region_code}")
    existing = (
        await session.execute(select(Enterprise).where(Enterprise.credit_code == code))
    ).scalar_one_or_none()
    if existing is not None:
        raise Conflict(
            f"an enterprise with credit code {code} already exists: {existing.id}",
            field="credit_code",
        )
    enterprise = Enterprise(
        id=ids.new("ent"),
        name=data.name,
        credit_code=code,
        region_code=data.region_code,
        industry_code=data.industry_code,
        employees=data.employees,
    )
    session.add(enterprise)
    await _commit_or_conflict(
        session, f"an enterprise with credit code {code} already exists", field="credit_code"
    )
    return enterprise


async def list_regions(*, session: AsyncSession, limit: int, cursor: str | None):
    return await keyset_page(session, select(Region), [Region.code], limit=limit, cursor=cursor)


async def list_industries(*, session: AsyncSession, limit: int, cursor: str | None):
    return await keyset_page(session, select(Industry), [Industry.code], limit=limit, cursor=cursor)


async def list_enterprises(
    *,
    session: AsyncSession,
    industry: str | None,
    region: str | None,
    limit: int,
    cursor: str | None,
):
    stmt = select(Enterprise)
    if industry:
        stmt = stmt.where(Enterprise.industry_code == industry)
    if region:
        stmt = stmt.where(Enterprise.region_code == region)
    return await keyset_page(
        session, stmt, [Enterprise.created_at, Enterprise.id], limit=limit, cursor=cursor
    )
