from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from recall.common.milestones import MilestoneOut


class CultivationCreate(BaseModel):
    programme_id: str
    enterprise_id: str
    tier: str | None = Field(
        None,
        max_length=40,
        description="the enterprise's tier in the cultivation pool (梯度培育库)",
    )


class CultivationTransitionIn(BaseModel):
    to: Literal["diagnosed", "improving", "certification_applied", "certified", "labelled"]
    certificate_no: str | None = Field(None, max_length=100, description="required to certify")
    note: str | None = None


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
