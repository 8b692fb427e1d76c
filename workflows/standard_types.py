"""What crosses the standard workflow's boundary: its input, state, commands and projection.

Plain dataclasses only (serialised by the pydantic data converter), like workflows.shared."""

from dataclasses import dataclass, field
from datetime import datetime

from workflows.shared import MilestoneEvent


@dataclass
class CommentState:
    """One line of the 意见汇总处理表."""

    id: str
    author: str
    text: str
    received_at: datetime
    clause: str | None = None
    disposition: str | None = None
    reason: str | None = None
    disposed_at: datetime | None = None
    disposed_by: str | None = None
    # Added after the first histories: optional, so a command recorded without it replays.
    organisation: str | None = None


@dataclass
class Vote:
    voter: str
    vote: str


@dataclass
class BallotTally:
    approve: int
    disapprove: int
    abstain: int
    passed: bool


@dataclass
class BallotState:
    approve: int
    disapprove: int
    abstain: int
    passed: bool
    votes: list[Vote]
    at: datetime
    actor: str


@dataclass
class StandardState:
    standard_id: str
    programme_id: str
    title: str
    kind: str
    drafting_association_id: str | None
    created_by: str
    drafters: list[str] = field(default_factory=list)
    created_at: datetime | None = None
    stage_code: str = "00.00"
    seq: int = 0
    comment_period_days: float | None = None  # fractional: periods under a day
    comment_period_ends_at: datetime | None = None
    comments: dict[str, CommentState] = field(default_factory=dict)
    ballot: BallotState | None = None
    published_at: datetime | None = None
    programme_workflow_ids: list[str] = field(default_factory=list)
    # Update ids the previous run applied last, carried over continue-as-new (workflows.journal).
    carried_update_ids: list[str] = field(default_factory=list)

    @property
    def stage(self) -> str:
        """What a milestone names as the stage (workflows.journal)."""
        return self.stage_code


@dataclass
class StandardInput:
    state: StandardState
    # Tests force continue-as-new with it; otherwise the workflow waits for Temporal's suggestion.
    continue_as_new_after_events: int | None = None


# --- Update inputs: every command names its actor -----------------------------------------


@dataclass
class CreateStandard:
    actor: str


@dataclass
class TransitionStandard:
    actor: str
    to: str
    note: str | None = None
    comment_period_days: float | None = None


@dataclass
class CommentOnStandard:
    actor: str
    comment_id: str
    author: str
    text: str
    clause: str | None = None
    organisation: str | None = None  # the commenter's organisation (提出单位), if given


@dataclass
class DisposeComment:
    actor: str
    comment_id: str
    disposition: str
    reason: str | None = None


@dataclass
class BallotStandard:
    actor: str
    votes: list[Vote]


# --- Activity input ------------------------------------------------------------------------


@dataclass
class StandardProjection:
    """What the read model needs after an event: the standard row, changed comments, milestones.
    `state` comes without its comments, so an event costs the same however many came in."""

    state: StandardState
    comments: list[CommentState]
    milestones: list[MilestoneEvent]
