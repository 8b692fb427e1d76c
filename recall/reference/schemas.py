from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class RegionIn(BaseModel):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.\-]+$")
    name: str = Field(min_length=1, max_length=200)


class RegionOut(RegionIn):
    model_config = ConfigDict(from_attributes=True)


class IndustryIn(BaseModel):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9\-]*$")
    name: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(None, max_length=200)
    keywords: list[str] = Field(
        default_factory=list, description="words that tie an imported notice to this industry"
    )


class IndustryOut(IndustryIn):
    model_config = ConfigDict(from_attributes=True)


class EnterpriseIn(BaseModel):
    name: str = Field(min_length=1, max_length=300)
    credit_code: str = Field(description="统一社会信用代码, 18 characters (GB 32100-2015)")
    region_code: str
    industry_code: str
    employees: int | None = Field(None, ge=0)


class EnterpriseOut(EnterpriseIn):
    model_config = ConfigDict(from_attributes=True)

    id: str
    created_at: datetime
