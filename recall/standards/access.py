"""Who may see and change which standard: the route dependencies that apply
recall.auth.permissions. Every signed-in principal reads standards; their drafting association
or a regulator of the programme's regions changes them; everyone may comment."""

from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from recall.auth import permissions
from recall.auth.principal import Principal
from recall.deps import CurrentPrincipal, SessionDep
from recall.errors import Forbidden, NotFound
from recall.programmes.models import Programme
from recall.standards.models import Standard, StandardComment


async def visible_standard(session: AsyncSession, standard_id: str) -> Standard:
    standard = await session.get(Standard, standard_id)
    if standard is None:
        raise NotFound(f"no standard {standard_id}")
    return standard


async def programme_regions(session: AsyncSession, programme_id: str) -> list[str]:
    programme = await session.get(Programme, programme_id)
    return list(programme.region_codes) if programme is not None else []


def draft_refusal(principal: Principal, act: str, what: str) -> Forbidden:
    if principal.role == "association":
        why = "an association changes only the standards it drafts"
    else:
        why = "only the drafting association or a regulator of the programme's regions may"
    return Forbidden(f"a {principal.role} may not {act} {what}: {why}")


def _draft_guard(act: str):
    async def guard(standard_id: str, session: SessionDep, principal: CurrentPrincipal) -> Standard:
        standard = await visible_standard(session, standard_id)
        regions = await programme_regions(session, standard.programme_id)
        if not permissions.may_draft_standard(principal, standard.drafting_association_id, regions):
            raise draft_refusal(principal, act, f"standard {standard_id}")
        return standard

    return guard


def StandardFor(act: str):
    return Annotated[Standard, Depends(_draft_guard(act))]


async def _visible(standard_id: str, session: SessionDep, principal: CurrentPrincipal) -> Standard:
    return await visible_standard(session, standard_id)


async def _commentable(
    standard_id: str, session: SessionDep, principal: CurrentPrincipal
) -> Standard:
    standard = await visible_standard(session, standard_id)
    if not permissions.may_comment_on_standard(principal):
        raise Forbidden(f"a {principal.role} may not comment on standard {standard_id}")
    return standard


async def _disposable_comment(
    comment_id: str,
    standard: Annotated[Standard, Depends(_draft_guard("dispose comments on"))],
    session: SessionDep,
) -> StandardComment:
    comment = await session.get(StandardComment, comment_id)
    if comment is None or comment.standard_id != standard.id:
        raise NotFound(f"standard {standard.id} has no comment {comment_id}")
    return comment


VisibleStandard = Annotated[Standard, Depends(_visible)]
CommentableStandard = Annotated[Standard, Depends(_commentable)]
DisposableComment = Annotated[StandardComment, Depends(_disposable_comment)]
