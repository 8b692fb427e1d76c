from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

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
    product: str = Field(min_length=1, max_length=500)
    description: str = Field(min_length=1)
    industry_code: str
    region_code: str
    enterprise_ids: list[str] = Field(default_factory=list)
    hazard_category: str | None = None
    received_at: AwareDatetime | None = None


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
