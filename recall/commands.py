"""What a command route needs, in one object: the request's session, the acting principal,
the ids its Idempotency-Key seeds, and the workflows."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from recall.auth.principal import Principal
from recall.common.ids import IdFactory
from recall.gateway import Project, WorkflowGateway


@dataclass
class CommandContext:
    session: AsyncSession
    workflows: WorkflowGateway
    principal: Principal
    ids: IdFactory

    @property
    def actor(self) -> str:
        return self.principal.actor

    async def start(
        self,
        run: Callable,
        input: Any,
        *,
        workflow_id: str,
        update: Callable,
        arg: Any,
        key: str,
        project: Project,
    ) -> Any:
        """Start a workflow with its first update (update id seeded by `key`); returns what
        the update committed, already in the read model."""
        await self._end_read()
        return await self.workflows.start(
            run,
            input,
            workflow_id=workflow_id,
            update=update,
            arg=arg,
            update_id=self.ids.update_id(key),
            project=project,
            session=self.session,
        )

    async def send(
        self, workflow_id: str, update: Callable, arg: Any, *, key: str, project: Project
    ) -> Any:
        """One Update to a running workflow, as `start` does it."""
        await self._end_read()
        return await self.workflows.command(
            workflow_id,
            update,
            arg,
            update_id=self.ids.update_id(key),
            project=project,
            session=self.session,
        )

    async def _end_read(self) -> None:
        # The request's read transaction ends first, or (on SQLite) the read after the
        # command would still see the database as it was before it.
        await self.session.rollback()
