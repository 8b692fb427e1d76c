from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from recall.common.milestones import MilestoneOut
from recall.common.text import Category, Name, Note, Number
from recall.rules.ordered_stages import CULTIVATION


class CultivationCreate(BaseModel):
    programme_id: Name
    enterprise_id: Name
    tier: Category | None = Field(
        None, description="the enterprise's tier in the cultivation pool (梯度培育库)"
    )


class CultivationTransitionIn(BaseModel):
    to: Literal[CULTIVATION.stages[1:]]
    certificate_no: Number | None = Field(None, description="required to certify")
    note: Note | None = None


class CultivationSummaryOut(BaseModel):
    id: str
    programme_id: str
    enterprise_id: str
    tier: str | None
    stage: str
    certificate_no: str | None
    certified_at: datetime | None
    created_by: str
    created_at: datetime
    updated_at: datetime


class CultivationOut(CultivationSummaryOut):
    milestones: list[MilestoneOut]
