"""Defect reports (缺陷线索): where a case starts."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from recall.common.search import search_indexes
from recall.common.types import UTCDateTime, utcnow
from recall.db import Base


class DefectReport(Base):
    __tablename__ = "defect_reports"
    __table_args__ = (Index("ix_defect_reports_created", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    source: Mapped[str] = mapped_column(String(40), index=True)
    product: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text)
    industry_code: Mapped[str | None] = mapped_column(ForeignKey("industries.code"), index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    enterprise_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    hazard_category: Mapped[str | None] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Overseas notices: "cpsc:25-123" or "openfda:sha256..."; a second import of one is skipped.
    external_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    external: Mapped[dict | None] = mapped_column(JSON)
    case_id: Mapped[str | None] = mapped_column(String(40), index=True)
    # When a case claimed the report before its workflow started (recall/cases/claims.py).
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200), default="system")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


search_indexes(DefectReport.product, DefectReport.description)  # q= (PostgreSQL)
