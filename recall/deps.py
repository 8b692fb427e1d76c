"""Typed dependencies: the session, the workflow engine, the acting principal, id factories."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from recall.auth.principal import LOCAL_OPERATOR, Principal
from recall.cases.engine import CaseEngine
from recall.common.ids import IdFactory


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as session:
        yield session


def _engine(request: Request) -> CaseEngine:
    return request.app.state.case_engine


def _principal(request: Request) -> Principal:
    # Until tokens arrive (issue 3) every caller acts as the local operator.
    return LOCAL_OPERATOR


def _ids(request: Request) -> IdFactory:
    return IdFactory(getattr(request.state, "idempotency_seed", None))


SessionDep = Annotated[AsyncSession, Depends(_session)]
EngineDep = Annotated[CaseEngine, Depends(_engine)]
CurrentPrincipal = Annotated[Principal, Depends(_principal)]
IdsDep = Annotated[IdFactory, Depends(_ids)]
