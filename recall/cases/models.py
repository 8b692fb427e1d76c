"""The read model of recall cases and their hazards, written by workflow activities."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from recall.common.search import search_indexes
from recall.common.types import UTCDateTime, utcnow
from recall.db import Base
from recall.rules.case_rules import ELIMINATED_HAZARD_STATUSES, OPEN_HAZARD_STATUSES


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
    # The deadline running now (plan, progress_report, summary_report), as the workflow set it.
    due_kind: Mapped[str | None] = mapped_column(String(32))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    programme_id: Mapped[str | None] = mapped_column(String(40), index=True)
    workflow_id: Mapped[str] = mapped_column(String(80))
    # The workflow's event counter: a projection only lands if it is newer than what is stored.
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(200), default="system")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


search_indexes(Case.title, Case.number)  # q= (PostgreSQL)


class CaseEnterprise(Base):
    """Which enterprises a case concerns: what an enterprise principal may see and act on."""

    __tablename__ = "case_enterprises"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(
        ForeignKey("enterprises.id"), primary_key=True, index=True
    )


ELIMINATED_HAZARDS = text(f"status IN {ELIMINATED_HAZARD_STATUSES!r}")
OPEN_HAZARDS = text(f"status IN {OPEN_HAZARD_STATUSES!r}")


def _dashboard_index(name: str, *columns, where, include=()) -> Index:
    """A partial index of the dashboard's counts (recall/dashboard/service.py): eliminated or
    open hazards only, with the filter columns so that a count is an index-only scan."""
    return Index(
        name, *columns, postgresql_where=where, sqlite_where=where, postgresql_include=list(include)
    )


def _month(column: str) -> str:
    """The expression of recall.dashboard.service._month on PostgreSQL."""
    return f"date_trunc('month', timezone('Asia/Shanghai', {column}))"


class Hazard(Base):
    __tablename__ = "hazards"
    # Grouping key first (an index-only scan in key order, deduplicated); see
    # migrations/versions/*_dashboard_hazard_indexes.py for what each one serves.
    __table_args__ = (
        _dashboard_index(
            "ix_hazards_eliminated_category",
            "category",
            "industry_code",
            "region_code",
            where=ELIMINATED_HAZARDS,
        ),
        _dashboard_index(
            "ix_hazards_eliminated_industry",
            "industry_code",
            "region_code",
            "category",
            where=ELIMINATED_HAZARDS,
        ),
        _dashboard_index(
            "ix_hazards_eliminated_region",
            "region_code",
            "industry_code",
            "category",
            where=ELIMINATED_HAZARDS,
        ),
        _dashboard_index(
            "ix_hazards_eliminated_window",
            "eliminated_at",
            where=ELIMINATED_HAZARDS,
            include=("industry_code", "region_code", "category", "days_to_eliminate"),
        ),
        _dashboard_index(
            "ix_hazards_eliminated_days",
            "days_to_eliminate",
            where=ELIMINATED_HAZARDS,
            include=("eliminated_at", "industry_code", "region_code"),
        ),
        _dashboard_index(
            "ix_hazards_eliminated_month",
            text(_month("eliminated_at")),
            "industry_code",
            "region_code",
            where=ELIMINATED_HAZARDS,
            include=("eliminated_at",),
        ).ddl_if(dialect="postgresql"),
        _dashboard_index(
            "ix_hazards_open_category",
            "category",
            "industry_code",
            "region_code",
            where=OPEN_HAZARDS,
        ),
        _dashboard_index(
            "ix_hazards_open_month",
            text(_month("identified_at")),
            "industry_code",
            "region_code",
            where=OPEN_HAZARDS,
            include=("identified_at",),
        ).ddl_if(dialect="postgresql"),
    )

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
    evidence_file_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    identified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    eliminated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=0)
