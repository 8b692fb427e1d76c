"""Who may see and advance which brand cultivation (recall.auth.permissions): an enterprise sees
only its own; regulators of the programme's regions see and advance them; associations see none
(DOMAIN.md: an association sees its own association and the standards it drafts)."""

from typing import Annotated

from fastapi import Depends
from sqlalchemy import false, select
from sqlalchemy.ext.asyncio import AsyncSession

from recall.auth import permissions
from recall.auth.principal import Principal
from recall.cultivations.models import BrandCultivation
from recall.deps import CurrentPrincipal, SessionDep
from recall.errors import Forbidden, NotFound
from recall.programmes.models import Programme, ProgrammeRegion


async def programme_regions(session: AsyncSession, programme_id: str) -> list[str]:
    programme = await session.get(Programme, programme_id)
    return list(programme.region_codes) if programme else []


async def visible_cultivation(
    session: AsyncSession, principal: Principal, cultivation_id: str
) -> BrandCultivation:
    cultivation = await session.get(BrandCultivation, cultivation_id)
    if cultivation is None or not permissions.can_see_cultivation(
        principal,
        cultivation.enterprise_id,
        await programme_regions(session, cultivation.programme_id),
    ):
        raise NotFound(f"no brand cultivation {cultivation_id}")
    return cultivation


def scope_cultivations(stmt, principal: Principal):
    """Only the cultivations the principal may see (permissions.can_see_cultivation)."""
    if principal.is_admin:
        return stmt
    if principal.role == "regulator":
        in_region = select(ProgrammeRegion.programme_id).where(
            ProgrammeRegion.region_code.in_(principal.regions)
        )
        return stmt.where(BrandCultivation.programme_id.in_(in_region))
    if principal.role == "enterprise":
        return stmt.where(BrandCultivation.enterprise_id == principal.enterprise_id)
    return stmt.where(false())


async def _visible(
    cultivation_id: str, session: SessionDep, principal: CurrentPrincipal
) -> BrandCultivation:
    return await visible_cultivation(session, principal, cultivation_id)


async def runnable_cultivation(
    session: AsyncSession, principal: Principal, cultivation_id: str
) -> BrandCultivation:
    """The cultivation, if this principal may advance it: unseen is 404, not allowed is 403."""
    cultivation = await visible_cultivation(session, principal, cultivation_id)
    regions = await programme_regions(session, cultivation.programme_id)
    if not permissions.may_run_cultivation(principal, regions):
        raise Forbidden(
            f"a {principal.role} may not advance brand cultivation {cultivation_id}: it needs "
            f"a regulator of {', '.join(regions)}"
        )
    return cultivation


async def _runnable(
    cultivation_id: str, session: SessionDep, principal: CurrentPrincipal
) -> BrandCultivation:
    return await runnable_cultivation(session, principal, cultivation_id)


VisibleCultivation = Annotated[BrandCultivation, Depends(_visible)]
RunnableCultivation = Annotated[BrandCultivation, Depends(_runnable)]
