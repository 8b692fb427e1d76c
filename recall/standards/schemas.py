from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from recall.common.milestones import MilestoneOut
from recall.common.text import Label, MaybeReal, Name, Note, Number, Reason, Text
from recall.rules import standard_rules as rules
from recall.rules.limits import IDS, MAX_COMMENT_PERIOD_DAYS
from workflows.standard_types import BallotState, BallotTally, CommentState

Kind = Literal[rules.KINDS]
StageCode = Literal[tuple(rules.STAGES)]
Disposition = Literal[rules.DISPOSITIONS]
VoteValue = Literal[rules.VOTES]


class StandardCreate(BaseModel):
    programme_id: Name
    title: Name
    kind: Kind
    drafting_association_id: Name | None = Field(
        None, description="defaults to the caller's own association when an association drafts"
    )
    drafters: list[Label] = Field(
        default_factory=list,
        max_length=IDS,
        description="the drafting members (起草人/起草单位): they do not vote in the review ballot",
    )


class TransitionIn(BaseModel):
    to: StageCode = Field(description="the next stage code; 40.60 comes by itself")
    note: Note | None = None
    comment_period_days: MaybeReal = Field(
        None,
        ge=0,
        le=MAX_COMMENT_PERIOD_DAYS,
        allow_inf_nan=False,
        description="with to: 40.20 only; default 30, 0 ends the period at once; "
        "fractions for periods under a day (0.5 is twelve hours)",
    )


class CommentIn(BaseModel):
    author: Name
    text: Text
    clause: Number | None = None
    organisation: Label | None = Field(None, description="the commenter's organisation (提出单位)")


class DispositionIn(BaseModel):
    disposition: Disposition
    reason: Reason | None = Field(None, description="required for rejected and partially_accepted")


class VoteIn(BaseModel):
    voter: Name
    vote: VoteValue


class BallotIn(BaseModel):
    votes: list[VoteIn] = Field(max_length=IDS)


# What the API shows of a ballot and a comment is the workflow's own record of them.
BallotOut = BallotTally
BallotRecordOut = BallotState


@dataclass
class CommentOut(CommentState):
    """A comment as the API shows it: its line of the 意见汇总处理表, and its standard."""

    standard_id: str = ""


class StandardSummaryOut(BaseModel):
    id: str
    programme_id: str
    title: str
    kind: str
    drafting_association_id: str | None
    stage_code: str
    stage_name: str
    stage_name_zh: str
    drafters: list[str]
    comment_period_days: int | float | None
    comment_period_ends_at: datetime | None
    ballot: BallotRecordOut | None
    published_at: datetime | None
    created_by: str
    created_at: datetime
    updated_at: datetime


class StandardOut(StandardSummaryOut):
    comments: list[CommentOut]
    milestones: list[MilestoneOut]
