"""Industry programmes (产业提升项目): one recall improves one industry."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from recall.common.types import UTCDateTime, utcnow
from recall.db import Base


class Programme(Base):
    __tablename__ = "programmes"
    __table_args__ = (Index("ix_programmes_created", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    industry_code: Mapped[str] = mapped_column(ForeignKey("industries.code"), index=True)
    stage: Mapped[str] = mapped_column(String(32), index=True)
    stage_since: Mapped[datetime] = mapped_column(UTCDateTime)
    # [{name, status: pending|open|complete|waived, opened_at, completed_at, waiver_reason}]
    stages: Mapped[list[dict]] = mapped_column(JSON, default=list)
    case_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    association_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    standard_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    cultivation_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    region_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    workflow_id: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(220))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProgrammeRegion(Base):
    """The regions of a programme's cases: which regulators see it."""

    __tablename__ = "programme_regions"

    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"), primary_key=True)
    region_code: Mapped[str] = mapped_column(
        ForeignKey("regions.code"), primary_key=True, index=True
    )


class ProgrammeMember(Base):
    """A case, association, standard or cultivation of a programme: the join the dashboard
    filters through (industry and regions of the programme)."""

    __tablename__ = "programme_members"

    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
