"""What every workflow here does the same way: refuse a command with a reason, keep the
milestones an event adds, and write them with the state through a local activity.

The read model is keyed by the event sequence (state.seq), so a retried write changes nothing
and an older write never overwrites a newer one."""

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from recall.rules.case_rules import RuleViolation
    from workflows.shared import MilestoneEvent

WRITE_TIMEOUT = timedelta(seconds=30)


def refuse(violation: RuleViolation) -> ApplicationError:
    """A refusal the API turns into 409/404/422 with the reason and the field."""
    return ApplicationError(
        violation.message,
        {"status": violation.status, "field": violation.field},
        type=violation.code,
        non_retryable=True,
    )


def check(rule, *args: Any) -> None:  # noqa: ANN001
    """Run a pure rule; a RuleViolation becomes the refusal of the update."""
    try:
        rule(*args)
    except RuleViolation as violation:
        raise refuse(violation) from None


class Journal:
    """Milestones of a workflow's state (anything with `seq` and `stage`) and their writing."""

    def __init__(self, activity: str, state: Any):
        self.activity = activity
        self.state = state
        self.pending: list[MilestoneEvent] = []
        self.written_seq = state.seq

    def record(self, kind: str, actor: str, note: str | None = None) -> None:
        self.state.seq += 1
        self.pending.append(
            MilestoneEvent(
                seq=self.state.seq,
                at=workflow.now(),
                kind=kind,
                stage=self.state.stage,
                actor=actor,
                note=note,
            )
        )

    def take(self) -> list[MilestoneEvent]:
        """The milestones not yet written, handed to the projection being built."""
        taken, self.pending = self.pending, []
        return taken

    async def write(self, projection: Any) -> None:
        """Run the projection activity; `projection.state` must be a copy taken now."""
        seq = projection.state.seq
        await workflow.execute_local_activity(
            self.activity, projection, start_to_close_timeout=WRITE_TIMEOUT
        )
        self.written_seq = max(self.written_seq, seq)

    async def first_written(self) -> None:
        """Wait until the start of the workflow is in the read model (read your writes)."""
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
