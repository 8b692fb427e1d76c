"""The API's door to the workflows: commands with a deadline, refusals as domain errors."""

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from recall.errors import (
    Conflict,
    DomainError,
    EngineUnavailable,
    InvalidField,
    InvalidTransition,
    NotFound,
)
from workflows.shared import Deadlines

T = TypeVar("T")

_BY_STATUS = {404: NotFound, 409: InvalidTransition, 422: InvalidField}


def refusal_to_error(err: WorkflowUpdateFailedError) -> DomainError:
    cause = err.cause
    if isinstance(cause, ApplicationError):
        details = cause.details[0] if cause.details else {}
        status = details.get("status", 409) if isinstance(details, dict) else 409
        field = details.get("field") if isinstance(details, dict) else None
        error_cls = _BY_STATUS.get(status, Conflict)
        return error_cls(cause.message, field=field, code=cause.type or None)
    return Conflict(str(cause or err))


class WorkflowEngine:
    def __init__(
        self, client: Client, *, task_queue: str, timeout: float, case_deadlines: Deadlines
    ):
        self.client = client
        self.task_queue = task_queue
        self.timeout = timeout
        self.case_deadlines = case_deadlines

    async def _within_deadline(self, call: Awaitable[T]) -> T:
        try:
            return await asyncio.wait_for(call, self.timeout)
        except WorkflowUpdateFailedError as err:
            raise refusal_to_error(err) from None
        except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
            raise EngineUnavailable(
                f"the workflow engine did not take the command within {self.timeout:g} s; "
                "send it again with the same Idempotency-Key"
            ) from None
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                raise InvalidTransition("its process has ended; nothing more can change") from None
            if err.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
                raise EngineUnavailable(f"the workflow engine is unavailable: {err}") from None
            if err.status == RPCStatusCode.RESOURCE_EXHAUSTED:
                # e.g. more than ten commands in flight on one workflow
                raise EngineUnavailable(f"the workflow engine is busy: {err}") from None
            raise

    async def start(
        self,
        run,
        input,
        *,
        workflow_id: str,
        update,
        arg,
        update_id: str,  # noqa: ANN001, ANN201
        reader: AsyncSession,
    ):
        """Start a workflow (or find it running) and wait for its first update: the update
        returns once the read model is written, so a read right after shows it.

        `reader` is the request's session: its read transaction ends first, or (on SQLite) the
        read after the command would still see the database as it was before."""
        await reader.rollback()
        start = WithStartWorkflowOperation(
            run,
            input,
            id=workflow_id,
            task_queue=self.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
        return await self._within_deadline(
            self.client.execute_update_with_start_workflow(
                update, arg, start_workflow_operation=start, id=update_id
            )
        )

    async def command(
        self,
        workflow_id: str,
        update,
        arg,
        *,
        update_id: str,  # noqa: ANN001, ANN201
        reader: AsyncSession,
    ):
        """One Update, as `start` does it; `reader` as there."""
        await reader.rollback()
        handle = self.client.get_workflow_handle(workflow_id)
        return await self._within_deadline(handle.execute_update(update, arg, id=update_id))
