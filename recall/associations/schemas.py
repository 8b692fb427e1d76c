from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from recall.common.milestones import MilestoneOut
from recall.common.text import Ids, Name, Note, Number
from recall.rules.ordered_stages import ASSOCIATION


class AssociationCreate(BaseModel):
    name: Name
    programme_id: Name | None = Field(None, description="form it for this programme (linked)")
    founding_enterprise_ids: Ids = Field(min_length=1)


class AssociationTransitionIn(BaseModel):
    to: Literal[ASSOCIATION.stages[1:]]
    registration_no: Number | None = Field(None, description="required to register (登记成立)")
    note: Note | None = None


class AssociationLinkIn(BaseModel):
    association_id: Name


class AssociationSummaryOut(BaseModel):
    id: str
    name: str
    status: str
    founding_enterprise_ids: list[str]
    region_codes: list[str]
    programme_ids: list[str]
    registration_no: str | None
    registered_at: datetime | None
    created_by: str
    created_at: datetime
    updated_at: datetime


class AssociationOut(AssociationSummaryOut):
    milestones: list[MilestoneOut]
