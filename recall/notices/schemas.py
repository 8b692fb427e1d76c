"""A public recall notice (召回公告) as the API answers it: what the public is told, and nothing
about the people behind the case."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from recall.cases.schemas import Remedy, RiskLevel
from recall.rules.case_rules import RECALL_DECISIONS


class Localized(BaseModel):
    """The same words in Chinese and in English."""

    zh: str
    en: str


class NoticeHazard(BaseModel):
    category: str = Field(description="a hazard category (ingestion, burn, electric_shock, ...)")
    description: str = Field(description="the defect as the regulator recorded it")


class NoticeOut(BaseModel):
    number: str = Field(description="the case's number (召回编号), e.g. RC-2026-000123")
    title: str = Field(description="the case's title")
    product: str = Field(description="the product, as the case's reports name it")
    enterprises: list[str] = Field(description="the names of the case's enterprises")
    industry_code: str | None
    region_code: str | None
    decision: Literal[RECALL_DECISIONS]
    risk_level: RiskLevel | None = Field(description="the assessed risk (EU RAPEX matrix)")
    hazards: list[NoticeHazard] = Field(description="the case's hazards, oldest first")
    hazard: Localized = Field(description="the decision, risk and hazards in plain words")
    remedy: Remedy
    remedy_text: Localized = Field(description="the remedy in words")
    what_to_do: Localized = Field(description="what a consumer who owns the product should do")
    units_affected: int
    correction_rate: float | None = Field(description="units corrected / units affected")
    published_at: datetime = Field(description="when the recall plan was first accepted")
    updated_at: datetime = Field(description="the case's last change")
