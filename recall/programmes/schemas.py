from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from recall.common.milestones import MilestoneOut
from recall.common.text import Ids, Name, Text
from recall.rules.programme_rules import STAGES
from workflows.chain import StageState

StageName = Literal[STAGES]


class ProgrammeCreate(BaseModel):
    industry_code: Name
    case_ids: Ids = Field(min_length=1)
    title: Name


class WaiverIn(BaseModel):
    stage: StageName
    reason: Text


class ProgrammeSummaryOut(BaseModel):
    id: str
    title: str
    industry_code: str
    stage: str
    stage_since: datetime
    stages: list[StageState]  # status: pending | open | complete | waived
    case_ids: list[str]
    association_ids: list[str]
    standard_ids: list[str]
    cultivation_ids: list[str]
    region_codes: list[str]
    created_at: datetime


class ProgrammeOut(ProgrammeSummaryOut):
    milestones: list[MilestoneOut]
