"""Industry associations (行业协会): formed, or an existing one linked, for a programme."""

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from recall.common.types import UTCDateTime, utcnow
from recall.db import Base


class Association(Base):
    __tablename__ = "associations"
    __table_args__ = (Index("ix_associations_created", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    # proposed -> preparing (筹备) -> charter_adopted (章程通过) -> registered (登记成立)
    status: Mapped[str] = mapped_column(String(32), index=True)
    founding_enterprise_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    programme_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    region_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    registration_no: Mapped[str | None] = mapped_column(String(100))
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    workflow_id: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(220))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
