"""The read model of recall cases and their hazards, written by workflow activities."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from recall.common.types import UTCDateTime, utcnow
from recall.db import Base


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_created", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    stage: Mapped[str] = mapped_column(String(32), index=True)
    industry_code: Mapped[str | None] = mapped_column(ForeignKey("industries.code"), index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    enterprise_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    defect_report_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    risk: Mapped[dict | None] = mapped_column(JSON)
    decision: Mapped[str | None] = mapped_column(String(32))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    plan: Mapped[dict | None] = mapped_column(JSON)
    units_corrected: Mapped[int | None] = mapped_column(Integer)
    correction_rate: Mapped[float | None] = mapped_column(Float)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    overdue_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    programme_id: Mapped[str | None] = mapped_column(String(40), index=True)
    workflow_id: Mapped[str] = mapped_column(String(80))
    # The workflow's event counter: a projection only lands if it is newer than what is stored.
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(200), default="system")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseEnterprise(Base):
    """Which enterprises a case concerns: what an enterprise principal may see and act on."""

    __tablename__ = "case_enterprises"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(
        ForeignKey("enterprises.id"), primary_key=True, index=True
    )


class Hazard(Base):
    __tablename__ = "hazards"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.id"), index=True)
    category: Mapped[str] = mapped_column(String(40), index=True)
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    # Copied from the case so the dashboard counts without a join.
    industry_code: Mapped[str | None] = mapped_column(String(64), index=True)
    region_code: Mapped[str | None] = mapped_column(String(32), index=True)
    days_to_eliminate: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[str | None] = mapped_column(Text)
    evidence_refs: Mapped[list[str]] = mapped_column(JSON, default=list)
    identified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    eliminated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=0)
