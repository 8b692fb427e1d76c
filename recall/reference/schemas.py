from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from recall.common.text import Label, MaybeInteger, Name
from recall.rules.limits import IDS

MAX_EMPLOYEES = 10_000_000  # more than the largest employer on earth


class RegionIn(BaseModel):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.\-]+$")
    name: Name


class RegionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str


class IndustryIn(BaseModel):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9\-]*$")
    name: Name
    name_en: Label | None = None
    keywords: list[Label] = Field(
        default_factory=list,
        max_length=IDS,
        description="words that tie an imported notice to this industry",
    )


class IndustryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    name_en: str | None = None
    keywords: list[str] = []


class EnterpriseIn(BaseModel):
    name: Name
    credit_code: Name = Field(description="统一社会信用代码, 18 characters (GB 32100-2015)")
    region_code: Name
    industry_code: Name
    employees: MaybeInteger = Field(None, ge=0, le=MAX_EMPLOYEES)


class EnterpriseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    credit_code: str
    region_code: str
    industry_code: str
    employees: int | None = None
    id: str
    created_at: datetime
