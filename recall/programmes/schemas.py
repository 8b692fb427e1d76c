from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from recall.common.milestones import MilestoneOut
from recall.common.text import Ids, Name, Text

StageName = Literal[
    "hazard_elimination", "association_formation", "standard_drafting", "brand_cultivation"
]


class ProgrammeCreate(BaseModel):
    industry_code: Name
    case_ids: Ids = Field(min_length=1)
    title: Name


class WaiverIn(BaseModel):
    stage: StageName
    reason: Text


class StageOut(BaseModel):
    name: str
    status: Literal["pending", "open", "complete", "waived"]
    opened_at: datetime | None = None
    completed_at: datetime | None = None
    waiver_reason: str | None = None


class ProgrammeSummaryOut(BaseModel):
    id: str
    title: str
    industry_code: str
    stage: str
    stage_since: datetime
    stages: list[StageOut]
    case_ids: list[str]
    association_ids: list[str]
    standard_ids: list[str]
    cultivation_ids: list[str]
    region_codes: list[str]
    created_at: datetime


class ProgrammeOut(ProgrammeSummaryOut):
    milestones: list[MilestoneOut]
