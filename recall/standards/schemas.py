from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from recall.common.milestones import MilestoneOut

Kind = Literal["group", "industry", "zhejiang_made", "local", "national"]
StageCode = Literal["00.00", "10.99", "20.00", "40.20", "40.60", "50.20", "50.60", "60.60", "95.99"]
Disposition = Literal["accepted", "partially_accepted", "rejected"]
VoteValue = Literal["approve", "disapprove", "abstain"]


class StandardCreate(BaseModel):
    programme_id: str
    title: str = Field(min_length=1, max_length=500)
    kind: Kind
    drafting_association_id: str | None = Field(
        None, description="defaults to the caller's own association when an association drafts"
    )
    drafters: list[str] = Field(
        default_factory=list,
        description="the drafting members (起草人/起草单位): they do not vote in the review ballot",
    )


class TransitionIn(BaseModel):
    to: StageCode = Field(description="the next stage code; 40.60 comes by itself")
    note: str | None = None
    comment_period_days: float | None = Field(
        None,
        ge=0,
        description="with to: 40.20 only; default 30, 0 ends the period at once; "
        "fractions for periods under a day (0.5 is twelve hours)",
    )


class CommentIn(BaseModel):
    author: str = Field(min_length=1, max_length=300)
    text: str = Field(min_length=1)
    clause: str | None = Field(None, max_length=100)


class DispositionIn(BaseModel):
    disposition: Disposition
    reason: str | None = Field(None, description="required for rejected and partially_accepted")


class VoteIn(BaseModel):
    voter: str = Field(min_length=1, max_length=300)
    vote: VoteValue


class BallotIn(BaseModel):
    votes: list[VoteIn]


class BallotOut(BaseModel):
    approve: int
    disapprove: int
    abstain: int
    passed: bool


class RecordedVote(BaseModel):
    voter: str
    vote: str


class BallotRecordOut(BallotOut):
    votes: list[RecordedVote]
    at: datetime
    actor: str


class CommentOut(BaseModel):
    id: str
    standard_id: str
    author: str
    text: str
    clause: str | None
    received_at: datetime
    disposition: str | None
    reason: str | None
    disposed_at: datetime | None
    disposed_by: str | None


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
