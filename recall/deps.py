"""Typed dependencies: the session, the acting principal, id factories, and the one context a
command route needs (recall.commands.CommandContext).

Every dependency is `async def`: FastAPI runs a plain `def` one in a worker thread, a thread
hop per dependency per request."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from recall.auth.principal import Principal
from recall.auth.tokens import authenticate
from recall.commands import CommandContext
from recall.common.ids import IdFactory
from recall.errors import Forbidden, Unauthorized
from recall.gateway import WorkflowGateway
from recall.observability import timing

_bearer = HTTPBearer(auto_error=False, description="a token from `recall token create`")


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as session:
        yield session


async def _gateway(request: Request) -> WorkflowGateway:
    return request.app.state.workflows


async def _principal(
    request: Request,
    session: Annotated[AsyncSession, Depends(_session)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthorized(
            "send Authorization: Bearer <token> (make one with `recall token create`)"
        )
    with timing.timed("auth"):
        principal = await authenticate(session, credentials.credentials)
        # end the read: later reads must see what workflows write meanwhile
        await session.rollback()
    request.state.principal = principal
    return principal


async def _ids(request: Request) -> IdFactory:
    return IdFactory(getattr(request.state, "idempotency_seed", None))


SessionDep = Annotated[AsyncSession, Depends(_session)]
GatewayDep = Annotated[WorkflowGateway, Depends(_gateway)]
CurrentPrincipal = Annotated[Principal, Depends(_principal)]
IdsDep = Annotated[IdFactory, Depends(_ids)]


async def _command(
    session: SessionDep, workflows: GatewayDep, principal: CurrentPrincipal, ids: IdsDep
) -> CommandContext:
    return CommandContext(session=session, workflows=workflows, principal=principal, ids=ids)


CommandDep = Annotated[CommandContext, Depends(_command)]


def require(check, message: str):
    """A dependency that lets the request through only if check(principal) holds (else 403)."""

    async def guard(principal: CurrentPrincipal) -> Principal:
        if not check(principal):
            raise Forbidden(message)
        return principal

    return Depends(guard)
