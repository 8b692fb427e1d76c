"""What every workflow here does the same way: refuse a command with a reason, keep the
milestones an event adds, and hand each event's projection to the read model.

Only what a workflow task committed may reach the read model. So a projection is never written
from inside the task that makes it: it waits in the outbox, and a regular activity, which the
server schedules only once that task is committed, writes the outbox in order. An Update also
returns its projection, so the API can write it before it answers (read your writes). Both
writes are keyed by the event sequence (state.seq): a second write of an event changes nothing
and an older event never overwrites a newer one.

An event an Update returns is written by the API as it answers, so the outbox is its backstop only:
it waits a moment ("batched-projection") and writes a burst of such events in one activity.
Events no Update returns (timers, signals) are written at once.

Runs recorded before this (no "project-after-commit" marker) replay their local activities."""

import asyncio
import contextlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from recall.rules import RuleViolation
    from workflows.shared import MilestoneEvent

WRITE_TIMEOUT = timedelta(seconds=30)
# The read model may be down for a while: keep trying, never give up on a committed event.
WRITE_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), backoff_coefficient=2,
    maximum_interval=timedelta(seconds=60), maximum_attempts=0,
)  # fmt: skip
PROJECT_AFTER_COMMIT = "project-after-commit"
BATCHED_PROJECTION = "batched-projection"
# A run's first event waits too: the command that opens the run returns it.
FIRST_EVENT_ANSWERED = "first-event-answered"
# How long events the API writes itself wait in the outbox for more to join them; the API that
# starts a run may set another in its memo (RECALL_BACKSTOP_DELAY_SECONDS, 0: no wait).
BACKSTOP_DELAY = timedelta(seconds=2)
BACKSTOP_MEMO = "backstop_delay_seconds"
OUTBOX_BATCH = 50
# Past this many unwritten events a workflow takes no more commands until the read model catches
# up: its state stays bounded however long the database is away.
OUTBOX_LIMIT = 500
# Temporal knows an Update's id within one run only. A client whose Update was applied just before
# the run continued as new may send it again (its SDK retries when the run it waited on closes),
# and the new run would take it as a new command. The last ids of a run go over to the next, whose
# validators refuse them as `already_applied`, an answer the API reads as done.
CARRIED_UPDATES = 64
ALREADY_APPLIED = "already_applied"


def refuse(violation: RuleViolation) -> ApplicationError:
    """A refusal the API turns into 409/404/422/503 with the reason and the field."""
    return ApplicationError(
        violation.message,
        {"kind": violation.kind, "field": violation.field},
        type=violation.code,
        non_retryable=True,
    )


def check(rule: Callable[..., None], *args: Any) -> None:
    """Run a pure rule; a RuleViolation becomes the refusal of the update."""
    try:
        rule(*args)
    except RuleViolation as violation:
        raise refuse(violation) from None


def _backstop_delay() -> float:
    seconds = workflow.memo_value(BACKSTOP_MEMO, None, type_hint=float)
    return BACKSTOP_DELAY.total_seconds() if seconds is None else seconds


class Journal:
    """Milestones of a workflow's state (anything with `seq` and `stage`) and their writing.

    `write_one` and `write_batch` are the activity definitions of the domain's projection."""

    def __init__(self, write_one: Callable, write_batch: Callable, state: Any):
        self.write_one = write_one
        self.write_batch = write_batch
        self.state = state
        self.pending: list[MilestoneEvent] = []
        self.written_seq = state.seq
        self.outbox: list[Any] = []
        self.first: Any = None  # this run's first projection, the answer to a create command
        self._writing = False
        self._projector: asyncio.Task | None = None
        # Whether the outbox holds an event that no Update returned, so no API writes it.
        self._urgent = False
        self._last_update_id: str | None = None
        # Set while the run waits to continue as new: validators refuse new commands, or a
        # steady stream of them would refill the outbox and put continue-as-new off for ever.
        self.closing = False
        self.carried = frozenset(getattr(state, "carried_update_ids", ()))
        self.applied: list[str] = []  # this run's last Update ids, for the next run

    def record(
        self, kind: str, actor: str, note: str | None = None, stage: str | None = None
    ) -> None:
        """A milestone of the current stage, or of `stage` when it is about another."""
        self.state.seq += 1
        self.pending.append(
            MilestoneEvent(
                seq=self.state.seq,
                at=workflow.now(),
                kind=kind,
                stage=stage or self.state.stage,
                actor=actor,
                note=note,
            )
        )

    def take(self) -> list[MilestoneEvent]:
        """The milestones not yet written, handed to the projection being built."""
        taken, self.pending = self.pending, []
        return taken

    def check(self, rule: Callable[..., None], *args: Any) -> None:
        """`check`, refusing first while the read model is too far behind, and (in a validator,
        so never in history) while the run is about to continue as new."""
        update = workflow.current_update_info()
        if update is not None and update.id in self.carried and workflow.unsafe.is_read_only():
            raise refuse(
                RuleViolation(
                    "this command was applied before the process continued as new",
                    code=ALREADY_APPLIED,
                    kind="conflict",
                )
            )
        if self.closing and workflow.unsafe.is_read_only():
            raise refuse(
                RuleViolation(
                    "the process is continuing as new; send the command again shortly",
                    code="continuing_as_new",
                    kind="unavailable",
                )
            )
        if len(self.outbox) >= OUTBOX_LIMIT:
            raise refuse(
                RuleViolation(
                    f"the read model is {len(self.outbox)} events behind; try again shortly",
                    code="read_model_behind",
                    kind="unavailable",
                )
            )
        check(rule, *args)

    async def write(self, projection: Any, *, answered: bool = False) -> Any:
        """Hand over an event's projection (`projection.state` must be a copy taken now);
        returns it, for an Update to return to the API. `answered`: made outside any Update, but
        one will return it (a run's first event, which the command that opened it returns)."""
        seq = projection.state.seq
        update = workflow.current_update_info()
        if update is not None and (not self.applied or self.applied[-1] != update.id):
            self.applied.append(update.id)
            del self.applied[:-CARRIED_UPDATES]
        if workflow.patched(PROJECT_AFTER_COMMIT):
            # An Update returns only its last projection: an earlier one of the same Update, like
            # one made outside any Update, reaches the read model through the outbox alone.
            update_id = update.id if update is not None else None
            answered_later = answered and update is None and workflow.patched(FIRST_EVENT_ANSWERED)
            if not answered_later and (update_id is None or update_id == self._last_update_id):
                self._urgent = True
            self._last_update_id = update_id
            self.outbox.append(projection)
            self._start_projector()
        else:
            await workflow.execute_local_activity(
                self.write_one, projection, start_to_close_timeout=WRITE_TIMEOUT
            )
        if self.first is None:
            self.first = projection
        self.written_seq = max(self.written_seq, seq)
        return projection

    def _start_projector(self) -> None:
        if self._projector is None:
            self._projector = asyncio.create_task(self._project_committed())

    async def _project_committed(self) -> None:
        while True:
            await workflow.wait_condition(lambda: bool(self.outbox))
            if not self._urgent and workflow.patched(BATCHED_PROJECTION):
                delay = _backstop_delay()
                if delay > 0:
                    with contextlib.suppress(asyncio.TimeoutError):
                        await workflow.wait_condition(self._flush_now, timeout=delay)
            batch = self.outbox[:OUTBOX_BATCH]
            self._writing = True
            await workflow.execute_activity(
                self.write_batch,
                batch,
                start_to_close_timeout=WRITE_TIMEOUT,
                retry_policy=WRITE_RETRY,
            )
            del self.outbox[: len(batch)]
            self._urgent = self._urgent and bool(self.outbox)
            self._writing = False

    def _flush_now(self) -> bool:
        return self._urgent or self.closing or len(self.outbox) >= OUTBOX_BATCH

    def drained(self) -> bool:
        return not self.outbox and not self._writing

    async def settle(self) -> None:
        """Wait until no handler runs and every event is written: before continue-as-new or
        the end of the run. New commands are refused meanwhile (see `check`)."""
        self.closing = True
        await workflow.wait_condition(lambda: workflow.all_handlers_finished() and self.drained())
        if hasattr(self.state, "carried_update_ids"):  # handed to the next run with the state
            self.state.carried_update_ids = list(self.applied)

    async def first_written(self) -> None:
        """Wait until the start of the workflow is recorded (read your writes)."""
        await workflow.wait_condition(lambda: self.written_seq >= 1)


# The server takes about 2,000 Updates a run; an Update writes two or three events.
MAX_EVENTS_PER_RUN = 4000


def time_to_continue_as_new(events_limit: int | None = None) -> bool:
    """Continue as new when Temporal suggests it, when the history passes `events_limit` (tests
    set one), or before the run nears the server's limit of Updates."""
    info = workflow.info()
    length = info.get_current_history_length()
    if info.is_continue_as_new_suggested():
        return True
    if events_limit is not None and length > events_limit:
        return True
    # Runs recorded before this limit existed never got this long, so they replay unchanged.
    return length > MAX_EVENTS_PER_RUN and workflow.patched("continue-as-new-by-length")
