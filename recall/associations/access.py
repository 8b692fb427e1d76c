"""Who may see and change which association: every signed-in principal sees them all; an
association changes only itself (recall.auth.permissions.may_change_association)."""

from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from recall.associations.models import Association
from recall.auth import permissions
from recall.auth.principal import Principal
from recall.deps import CurrentPrincipal, SessionDep
from recall.errors import Forbidden, NotFound


async def get_association(session: AsyncSession, association_id: str) -> Association:
    association = await session.get(Association, association_id)
    if association is None:
        raise NotFound(f"no association {association_id}")
    return association


async def _visible(
    association_id: str, session: SessionDep, _principal: CurrentPrincipal
) -> Association:
    return await get_association(session, association_id)


async def changeable_association(
    session: AsyncSession, principal: Principal, association_id: str
) -> Association:
    """The association, if this principal may change it: unknown is 404, not allowed is 403."""
    association = await get_association(session, association_id)
    if not permissions.may_change_association(principal, association.id, association.region_codes):
        why = (
            "an association changes only its own association"
            if principal.role == "association"
            else f"it needs a regulator of {', '.join(association.region_codes)}"
        )
        raise Forbidden(f"a {principal.role} may not change association {association.id}: {why}")
    return association


async def _changeable(
    association_id: str, session: SessionDep, principal: CurrentPrincipal
) -> Association:
    return await changeable_association(session, principal, association_id)


VisibleAssociation = Annotated[Association, Depends(_visible)]
ChangeableAssociation = Annotated[Association, Depends(_changeable)]
