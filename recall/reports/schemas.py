from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from recall.common.text import HazardCategory, Ids, Name, PastMoment, Text

Source = Literal[
    "consumer_complaint",
    "sampling_inspection",
    "enterprise_self_report",
    "injury_report",
    "media",
    "overseas_recall",
]


class DefectReportIn(BaseModel):
    source: Source
    product: Name
    description: Text
    industry_code: Name
    region_code: Name
    enterprise_ids: Ids = Field(default_factory=list)
    hazard_category: HazardCategory | None = None
    received_at: PastMoment | None = None


class DefectReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    source: str
    product: str
    description: str
    industry_code: str | None
    region_code: str | None
    enterprise_ids: list[str]
    hazard_category: str | None
    received_at: datetime
    case_id: str | None
    external: dict | None = None
    created_at: datetime
