"""Who may see and run which programme (recall.auth.permissions applied to programme rows)."""

from typing import Annotated

from fastapi import Depends
from sqlalchemy import exists, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from recall.auth import permissions
from recall.auth.principal import Principal
from recall.common.sql import json_array_contains
from recall.cultivations.models import BrandCultivation
from recall.deps import CurrentPrincipal, SessionDep
from recall.errors import Forbidden, NotFound
from recall.programmes.models import Programme, ProgrammeRegion


async def _cultivated(session: AsyncSession, programme_id: str) -> list[str]:
    rows = await session.execute(
        select(BrandCultivation.enterprise_id).where(BrandCultivation.programme_id == programme_id)
    )
    return list(rows.scalars())


async def visible_programme(
    session: AsyncSession, principal: Principal, programme_id: str
) -> Programme:
    programme = await session.get(Programme, programme_id)
    if programme is None or not permissions.can_see_programme(
        principal,
        programme.region_codes,
        programme.association_ids,
        await _cultivated(session, programme_id) if principal.role == "enterprise" else (),
    ):
        raise NotFound(f"no programme {programme_id}")
    return programme


def scope_programmes(stmt, principal: Principal, dialect: str):
    if principal.is_admin:
        return stmt
    if principal.role == "regulator":
        in_region = select(ProgrammeRegion.programme_id).where(
            ProgrammeRegion.region_code.in_(principal.regions)
        )
        return stmt.where(Programme.id.in_(in_region))
    if principal.role == "association":
        return stmt.where(
            json_array_contains(dialect, Programme.association_ids, principal.association_id)
        )
    if principal.role == "enterprise":
        return stmt.where(
            exists().where(
                BrandCultivation.programme_id == Programme.id,
                BrandCultivation.enterprise_id == principal.enterprise_id,
            )
        )
    return stmt.where(false())


async def _visible(
    programme_id: str, session: SessionDep, principal: CurrentPrincipal
) -> Programme:
    return await visible_programme(session, principal, programme_id)


async def _runnable(
    programme_id: str, session: SessionDep, principal: CurrentPrincipal
) -> Programme:
    programme = await visible_programme(session, principal, programme_id)
    if not permissions.may_run_programme(principal, programme.region_codes):
        raise Forbidden(
            f"a {principal.role} may not run programme {programme_id}: it needs "
            f"a regulator of {', '.join(programme.region_codes)}"
        )
    return programme


VisibleProgramme = Annotated[Programme, Depends(_visible)]
RunnableProgramme = Annotated[Programme, Depends(_runnable)]
