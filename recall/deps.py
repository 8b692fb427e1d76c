"""Typed dependencies: the session, the workflow engine, the acting principal, id factories."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from recall.auth.principal import Principal
from recall.auth.tokens import authenticate
from recall.common.ids import IdFactory
from recall.engine import WorkflowEngine
from recall.errors import Forbidden, Unauthorized

_bearer = HTTPBearer(auto_error=False, description="a token from `recall token create`")


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as session:
        yield session


def _engine(request: Request) -> WorkflowEngine:
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
    principal = await authenticate(session, credentials.credentials)
    await session.rollback()  # end the read: later reads must see what workflows write meanwhile
    request.state.principal = principal
    return principal


def _ids(request: Request) -> IdFactory:
    return IdFactory(getattr(request.state, "idempotency_seed", None))


SessionDep = Annotated[AsyncSession, Depends(_session)]
EngineDep = Annotated[WorkflowEngine, Depends(_engine)]
CurrentPrincipal = Annotated[Principal, Depends(_principal)]
IdsDep = Annotated[IdFactory, Depends(_ids)]


def require(check, message: str):  # noqa: ANN001, ANN201
    """A dependency that lets the request through only if check(principal) holds (else 403)."""

    async def guard(principal: CurrentPrincipal) -> Principal:
        if not check(principal):
            raise Forbidden(message)
        return principal

    return Depends(guard)
