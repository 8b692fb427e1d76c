"""The API's door to the case workflows: commands with a deadline, refusals as domain errors."""

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

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
from workflows.recall_case import RecallCaseWorkflow
from workflows.shared import CaseInput, CaseState, Deadlines, OpenCase, case_workflow_id

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


class CaseEngine:
    def __init__(self, client: Client, *, task_queue: str, timeout: float, deadlines: Deadlines):
        self.client = client
        self.task_queue = task_queue
        self.timeout = timeout
        self.deadlines = deadlines

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
                raise NotFound("no running process for this case") from None
            if err.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
                raise EngineUnavailable(f"the workflow engine is unavailable: {err}") from None
            raise

    async def open(self, state: CaseState, *, actor: str, update_id: str) -> str:
        """Start the case workflow and wait until its read model is written (read your writes)."""
        start = WithStartWorkflowOperation(
            RecallCaseWorkflow.run,
            CaseInput(state=state, deadlines=self.deadlines),
            id=case_workflow_id(state.case_id),
            task_queue=self.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
        return await self._within_deadline(
            self.client.execute_update_with_start_workflow(
                RecallCaseWorkflow.open,
                OpenCase(actor=actor),
                start_workflow_operation=start,
                id=update_id,
            )
        )

    async def command(self, case_id: str, update, arg, *, update_id: str) -> None:  # noqa: ANN001
        handle = self.client.get_workflow_handle(case_workflow_id(case_id))
        await self._within_deadline(handle.execute_update(update, arg, id=update_id))
