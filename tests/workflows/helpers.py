"""Opening cases straight on a Temporal server (no HTTP), shared by workflow and replay tests,
and the two ways a test sees the read model: through the API's write of a command's answer
(`Api`), or once the workflow has written what it committed in its own time (`settled`)."""

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from recall.cases.projection import next_case_number, project_case
from recall.common.models import Milestone
from recall.common.types import utcnow
from recall.gateway import ALREADY_APPLIED, SEND_AGAIN
from recall.reference.models import Enterprise, Industry, Region
from tests.api.eventually import eventually
from workflows.journal import BACKSTOP_DELAY
from workflows.recall_case import RecallCaseWorkflow
from workflows.shared import CaseInput, CaseState, Deadlines, OpenCase, case_workflow_id

ENTERPRISES = ("ent_magnet_a", "ent_magnet_b")

# How the API writes a command's committed answer: recall/<domain>/projection.py.
Project = Callable[[AsyncSession, Any], Awaitable[None]]


class Api:
    """A workflow as the API drives it (recall/gateway.py): every command's answer, the
    projection of the event it committed, is written to the read model before the command
    returns, so the test reads its own writes. With `write=False` nothing but the workflow's
    own projection activity writes. Anything else (query, signal, result, describe, id...) is
    the handle's."""

    def __init__(
        self,
        handle: WorkflowHandle,
        sessionmaker: async_sessionmaker[AsyncSession],
        project: Project,
        *,
        write: bool = True,
    ):
        self.handle = handle
        self.sessionmaker = sessionmaker
        self.project = project
        self.write = write

    async def execute_update(self, update: Callable, arg: Any, *, id: str | None = None) -> Any:
        pause = 0.02
        while True:  # as the gateway does: sent again while the run continues as new
            try:
                committed = await self.handle.execute_update(update, arg, id=id)
                break
            except WorkflowUpdateFailedError as err:
                refusal = getattr(err.cause, "type", None)
                if refusal == ALREADY_APPLIED:  # done by the run before: nothing to write
                    return None
                if refusal not in SEND_AGAIN or pause > 2:
                    raise
            await asyncio.sleep(pause)
            pause *= 2
        if self.write and committed is not None:
            async with self.sessionmaker() as session:
                await self.project(session, committed)
        return committed

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)


_SUBJECTS = {
    "recall-case-": "case",
    "standard-": "standard",
    "programme-": "programme",
    "association-": "association",
    "cultivation-": "cultivation",
}


def subject_of(workflow_id: str) -> tuple[str, str]:
    """The milestones' (subject_type, subject_id) of a workflow."""
    for prefix, subject_type in _SUBJECTS.items():
        if workflow_id.startswith(prefix):
            return subject_type, workflow_id.removeprefix(prefix)
    raise ValueError(f"no read model for workflow {workflow_id}")


async def milestone_seqs(
    sessionmaker: async_sessionmaker[AsyncSession], subject_type: str, subject_id: str
) -> list[int]:
    async with sessionmaker() as session:
        result = await session.execute(
            select(Milestone.seq)
            .where(Milestone.subject_type == subject_type, Milestone.subject_id == subject_id)
            .order_by(Milestone.seq)
        )
        return list(result.scalars())


async def settled(
    sessionmaker: async_sessionmaker[AsyncSession], handle: WorkflowHandle, timeout: float = 15
) -> int:
    """Wait until the read model holds every event the workflow has committed so far (one
    milestone per event, 1..seq): what a timer or a signal did has no API caller, so only the
    workflow's projection activity writes it, once its task committed. Returns that seq."""
    seq = (await handle.query("snapshot"))["seq"]
    subject = subject_of(handle.id)
    await eventually(
        lambda: milestone_seqs(sessionmaker, *subject),
        lambda seqs: seqs == list(range(1, seq + 1)),
        timeout,
    )
    return seq


async def seed_reference(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session:
        if await session.get(Region, "330702") is None:
            session.add(Region(code="330702", name="婺城区"))
            session.add(Industry(code="magnetic-toys", name="巴克球", keywords=["magnet"]))
            await session.flush()
            for i, ent_id in enumerate(ENTERPRISES):
                session.add(
                    Enterprise(
                        id=ent_id,
                        name=f"金华磁业{i}",
                        credit_code=f"91330702TEST0000{i}X",
                        region_code="330702",
                        industry_code="magnetic-toys",
                    )
                )
            await session.commit()


async def draw_case_number(sessionmaker: async_sessionmaker[AsyncSession]) -> str:
    """The case's number, drawn by the API before it starts the workflow (recall/cases/claims)."""
    async with sessionmaker() as session:
        number = await next_case_number(session, utcnow())
        await session.commit()
    return number


async def open_case(
    client: Client,
    task_queue: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    deadlines: Deadlines | None = None,
    case_id: str | None = None,
    continue_as_new_after_events: int | None = None,
    write: bool = True,
    enterprise_ids: list[str] | None = None,
) -> Api:
    """Start a case as the API does: with its number, then the `open` command (its answer
    written to the read model unless `write=False`). Its reports name ENTERPRISES unless
    `enterprise_ids` says otherwise."""
    case_id = case_id or f"case_{uuid.uuid4().hex[:20]}"
    state = CaseState(
        case_id=case_id,
        title="巴克球 magnet balls",
        industry_code="magnetic-toys",
        region_code="330702",
        enterprise_ids=list(ENTERPRISES if enterprise_ids is None else enterprise_ids),
        defect_report_ids=[],
        created_by="regulator:test",
        number=await draw_case_number(sessionmaker),
    )
    handle = await client.start_workflow(
        RecallCaseWorkflow.run,
        CaseInput(
            state=state,
            deadlines=deadlines or Deadlines(),
            continue_as_new_after_events=continue_as_new_after_events,
        ),
        id=case_workflow_id(case_id),
        task_queue=task_queue,
    )
    api = Api(handle, sessionmaker, project_case, write=write)
    await api.execute_update(RecallCaseWorkflow.open, OpenCase(actor="regulator:test"))
    return api


async def continued_as_new(handle: WorkflowHandle, first_run_id: str, timeout: float = 15) -> str:
    """Wait for the run after `first_run_id`: a workflow continues as new only once every event
    of its run is written, a moment after the command that passed the limit. Returns its id."""

    async def run_id() -> str:
        return (await handle.describe()).run_id

    return await eventually(run_id, lambda run: run != first_run_id, timeout)


_WORKFLOW_TASK_EVENTS = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
    EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
}
_WORKFLOW_TASK_OPEN = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
}


def _backstop_waiting(history) -> bool:
    """Whether the outbox waits to write what the API wrote already (workflows.journal's
    BACKSTOP_DELAY timer is running)."""
    running = set()
    for e in history.events:
        if e.HasField("timer_started_event_attributes"):
            started = e.timer_started_event_attributes
            if started.start_to_fire_timeout.ToTimedelta() == BACKSTOP_DELAY:
                running.add(started.timer_id)
        elif e.HasField("timer_fired_event_attributes"):
            running.discard(e.timer_fired_event_attributes.timer_id)
        elif e.HasField("timer_canceled_event_attributes"):
            running.discard(e.timer_canceled_event_attributes.timer_id)
    return bool(running)


async def idle(handle: WorkflowHandle, timeout: float = 15, *, outbox: bool = False) -> None:
    """Wait until the workflow's latest run has no activity and no workflow task in flight (its
    webhooks sent, its answers taken, the events no Update returned written). The time-skipping
    server does not report a pending workflow task, so the history tells. `outbox`: wait for the
    whole outbox, the backstop of what the API writes itself, too (up to BACKSTOP_DELAY)."""

    async def busy() -> bool:
        if (await handle.describe()).raw_description.pending_activities:
            return True
        history = await handle.fetch_history()
        tasks = [e.event_type for e in history.events if e.event_type in _WORKFLOW_TASK_EVENTS]
        if outbox and _backstop_waiting(history):
            return True
        return bool(tasks) and tasks[-1] in _WORKFLOW_TASK_OPEN

    await eventually(busy, lambda b: not b, timeout)


async def ended(handle: WorkflowHandle) -> Any:
    """The result of a run that ends by itself, once it has written its outbox. Not a bare
    `handle.result()`: that lets the time-skipping server skip time while the projection
    activity runs, the activity times out in skipped time, and the server never skips time again
    (sdk-java#2246)."""
    await idle(handle)
    return await handle.result()


async def skip_time(env: WorkflowEnvironment, handle: WorkflowHandle, duration: timedelta) -> None:
    """`env.sleep` once the workflow is idle: the time-skipping server may stop skipping for
    good when an activity or a workflow task ends in the middle of a skip."""
    await idle(handle)
    await env.sleep(duration)


async def finish(handle: WorkflowHandle) -> None:
    """Terminate a test's workflow once it is idle: the time-skipping server keeps time locked
    for an activity or a workflow task cut off by a termination (sdk-java#1138), and then
    sleeps in real time in every later test."""
    with contextlib.suppress(RPCError, AssertionError):
        await idle(handle)
    with contextlib.suppress(RPCError):
        await handle.terminate("test finished")
