"""Standards (标准) drafted for a programme, their public comments and review ballot."""

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from recall.common.types import UTCDateTime, utcnow
from recall.db import Base


class Standard(Base):
    __tablename__ = "standards"
    __table_args__ = (Index("ix_standards_created", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    drafting_association_id: Mapped[str | None] = mapped_column(
        ForeignKey("associations.id"), index=True
    )
    stage_code: Mapped[str] = mapped_column(String(8), index=True)
    drafters: Mapped[list[str]] = mapped_column(JSON, default=list)
    # days, fractional for periods under a day (demos, tests): 0.5 is twelve hours
    comment_period_days: Mapped[float | None] = mapped_column(Float)
    comment_period_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # {approve, disapprove, abstain, passed, votes: [{voter, vote}], at}
    ballot: Mapped[dict | None] = mapped_column(JSON)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    workflow_id: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(220))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StandardComment(Base):
    """One line of the 意见汇总处理表: a public comment and its disposition."""

    __tablename__ = "standard_comments"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    standard_id: Mapped[str] = mapped_column(ForeignKey("standards.id"), index=True)
    author: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    clause: Mapped[str | None] = mapped_column(String(100))
    organisation: Mapped[str | None] = mapped_column(String(300))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    disposition: Mapped[str | None] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(Text)
    disposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disposed_by: Mapped[str | None] = mapped_column(String(220))
    version: Mapped[int] = mapped_column(Integer, default=0)


class PublicCommentCount(Base):
    """Comments sent through the public form from one client address in the current window
    (recall.standards.public_comment): kept in the database, so every replica counts alike.
    The key is a hash of the address, never the address itself."""

    __tablename__ = "public_comment_counts"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    comments: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
