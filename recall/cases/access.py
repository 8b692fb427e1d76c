"""Who may see and change which case: the route dependencies that apply recall.auth.permissions."""

from typing import Annotated

from fastapi import Depends
from sqlalchemy import bindparam, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from recall.auth import permissions
from recall.auth.principal import Principal
from recall.cases.models import Case, CaseEnterprise, Hazard
from recall.deps import CurrentPrincipal, SessionDep
from recall.errors import Forbidden, NotFound
from recall.observability.context import bind_case

_CASE_BY_ID = select(Case.__table__).where(Case.__table__.c.id == bindparam("case_id"))


async def visible_case(session: AsyncSession, principal: Principal, case_id: str) -> Case:
    """The case's row (a plain row with the columns as attributes, cheaper than an ORM object
    on every command), if the principal may see it."""
    case = (await session.execute(_CASE_BY_ID, {"case_id": case_id})).one_or_none()
    if case is None or not permissions.can_see_case(
        principal, case.region_code, case.enterprise_ids
    ):
        raise NotFound(f"no case {case_id}")
    bind_case(case.number)
    return case


def scope_cases(stmt, principal: Principal):
    """Only the cases the principal may see."""
    if principal.is_admin:
        return stmt
    if principal.role == "regulator":
        return stmt.where(Case.region_code.in_(principal.regions))
    if principal.role == "enterprise":
        mine = select(CaseEnterprise.case_id).where(
            CaseEnterprise.enterprise_id == principal.enterprise_id
        )
        return stmt.where(Case.id.in_(mine))
    return stmt.where(false())


async def case_for(session: AsyncSession, principal: Principal, case_id: str, act: str) -> Case:
    """The case, if this principal may do this act on it: unseen is 404, not allowed is 403
    (the stage is the workflow's to refuse)."""
    case = await visible_case(session, principal, case_id)
    if not permissions.may_act_on_case(principal, act, case.region_code, case.enterprise_ids):
        raise Forbidden(f"a {principal.role} may not {act.replace('_', ' ')} on case {case.number}")
    return case


async def eliminable_hazard(
    session: AsyncSession, principal: Principal, case: Case, hazard_id: str | None
) -> Hazard:
    """A hazard of the case whose elimination this principal may record."""
    hazard = await session.get(Hazard, hazard_id) if hazard_id else None
    if hazard is None or hazard.case_id != case.id:
        raise NotFound(f"case {case.number} has no hazard {hazard_id}")
    if not permissions.may_eliminate_hazard(principal, hazard.enterprise_id):
        raise Forbidden(f"hazard {hazard_id} belongs to another enterprise")
    return hazard


def _case_guard(act: str):
    async def guard(case_id: str, session: SessionDep, principal: CurrentPrincipal) -> Case:
        return await case_for(session, principal, case_id, act)

    return guard


def CaseFor(act: str):
    return Annotated[Case, Depends(_case_guard(act))]


async def _visible(case_id: str, session: SessionDep, principal: CurrentPrincipal) -> Case:
    return await visible_case(session, principal, case_id)


async def _eliminable_hazard(
    hazard_id: str,
    case: CaseFor("eliminate_hazard"),
    session: SessionDep,
    principal: CurrentPrincipal,
) -> Hazard:
    return await eliminable_hazard(session, principal, case, hazard_id)


VisibleCase = Annotated[Case, Depends(_visible)]
EliminableHazard = Annotated[Hazard, Depends(_eliminable_hazard)]
