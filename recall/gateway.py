"""The API's door to the workflows: commands with a deadline, refusals as domain errors, and
the committed answer of each command written to the read model before the API answers."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
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
    ReadModelUnavailable,
    database_outage,
)
from recall.observability import timing
from workflows.shared import Deadlines

T = TypeVar("T")
# How a projection of a committed event is written: recall/<domain>/projection.py.
Project = Callable[[AsyncSession, Any], Awaitable[None]]

_BY_KIND = {
    "not_found": NotFound,
    "conflict": InvalidTransition,
    "invalid_field": InvalidField,
    "unavailable": EngineUnavailable,
}
_KIND_OF_STATUS = {404: "not_found", 409: "conflict", 422: "invalid_field"}  # older refusals
WRITE_ATTEMPTS = 3
# A run that is continuing as new refuses commands until its successor takes over, which
# takes a moment; the command is sent again rather than answered 503.
CONTINUING_AS_NEW = "continuing_as_new"
# A command applied just before its run continued as new, sent again to the next run (see
# workflows.journal): it is done, and its events are in the read model already (a run drains its
# outbox before it continues), so there is nothing to write.
ALREADY_APPLIED = "already_applied"
# The server's answer to an Update that reached a run as it closed (continued as new) before
# the worker took it: never applied, so it is sent again, to the next run.
UNPROCESSED = "UnprocessedUpdate"
SEND_AGAIN = frozenset({CONTINUING_AS_NEW, UNPROCESSED})


def _retryable(err: DBAPIError) -> bool:
    """A deadlock or a serialization failure (40P01, 40001), or a unique key taken by the
    workflow's own write of the same new row in the same instant (23505; PostgreSQL checks the
    other unique keys before ON CONFLICT (id) sees the row): written again, it changes nothing."""
    return getattr(err.orig, "sqlstate", None) in ("40P01", "40001", "23505")


def refusal_to_error(err: WorkflowUpdateFailedError) -> DomainError:
    cause = err.cause
    if isinstance(cause, ApplicationError):
        details = cause.details[0] if cause.details else {}
        details = details if isinstance(details, dict) else {}
        kind = details.get("kind") or _KIND_OF_STATUS.get(details.get("status"), "conflict")
        error_cls = _BY_KIND.get(kind, Conflict)
        return error_cls(cause.message, field=details.get("field"), code=cause.type or None)
    return Conflict(str(cause or err))


class WorkflowGateway:
    def __init__(
        self,
        client: Client,
        *,
        task_queue: str,
        timeout: float,
        case_deadlines: Deadlines,
        sessionmaker: async_sessionmaker[AsyncSession],
        memo: dict[str, Any] | None = None,
    ):
        self.client = client
        self.memo = memo  # given to every workflow this gateway starts
        self.task_queue = task_queue
        self.timeout = timeout
        self.case_deadlines = case_deadlines
        self.sessionmaker = sessionmaker

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

    async def _send(self, call: Callable[[], Awaitable[T]]) -> T | None:
        """`call` within the deadline, sent again while the run is continuing as new (or closed
        before it took the command); None for a command found applied by the run before."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        pause = 0.02
        while True:
            try:
                return await self._within_deadline(call())
            except DomainError as err:
                if err.code == ALREADY_APPLIED:
                    return None
                if err.code not in SEND_AGAIN or loop.time() + pause > deadline:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.5)

    async def _write(
        self, project: Project, committed: Any, session: AsyncSession | None = None
    ) -> None:
        """Write the committed answer of a command (the workflow writes it too, in its own
        time; whichever comes second changes nothing), in `session` (the request's, with no
        transaction open) or a session of its own."""
        if committed is None:
            return
        for attempt in range(WRITE_ATTEMPTS):
            try:
                if session is None:
                    async with self.sessionmaker() as own:
                        await project(own, committed)
                else:
                    try:
                        await project(session, committed)
                    except BaseException:
                        # the write's own error is the one to report, not the rollback's
                        with contextlib.suppress(Exception):
                            await session.rollback()
                        raise
                return
            except DBAPIError as err:
                # The write is idempotent: a loser of a race with the workflow's own write of
                # the same event simply writes again.
                if _retryable(err) and attempt < WRITE_ATTEMPTS - 1:
                    continue
                if not database_outage(err):
                    raise
                raise ReadModelUnavailable(
                    "the command was taken, but the database did not answer; send it again "
                    "with the same Idempotency-Key to see its outcome"
                ) from err
            except OSError as err:
                raise ReadModelUnavailable(
                    "the command was taken, but the database did not answer; send it again "
                    "with the same Idempotency-Key to see its outcome"
                ) from err

    async def start(
        self,
        run: Callable,
        input: Any,
        *,
        workflow_id: str,
        update: Callable,
        arg: Any,
        update_id: str,
        project: Project,
        session: AsyncSession | None = None,
    ) -> Any:
        """Start a workflow (or find it running), send its first update and write what the
        update committed (in `session`, if given: see _write)."""

        def send() -> Awaitable[Any]:
            # an operation is used once: a new one each time the command is sent
            start = WithStartWorkflowOperation(
                run,
                input,
                id=workflow_id,
                task_queue=self.task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                memo=self.memo,
            )
            return self.client.execute_update_with_start_workflow(
                update, arg, start_workflow_operation=start, id=update_id
            )

        with timing.timed("command"):
            committed = await self._send(send)
        with timing.timed("write"):
            await self._write(project, committed, session)
        return committed

    async def command(
        self,
        workflow_id: str,
        update: Callable,
        arg: Any,
        *,
        update_id: str,
        project: Project,
        session: AsyncSession | None = None,
    ) -> Any:
        """One Update, its committed answer written as `start` does."""
        handle = self.client.get_workflow_handle(workflow_id)
        with timing.timed("command"):
            committed = await self._send(lambda: handle.execute_update(update, arg, id=update_id))
        with timing.timed("write"):
            await self._write(project, committed, session)
        return committed

    async def exists(self, workflow_id: str) -> bool:
        """Whether a workflow of this id was ever started (running or not)."""
        try:
            await self._within_deadline(self.client.get_workflow_handle(workflow_id).describe())
        except InvalidTransition:  # NOT_FOUND
            return False
        return True
