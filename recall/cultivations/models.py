"""Brand cultivations (品字标培育): one enterprise on its way to the "品字标浙江制造" mark."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from recall.common.types import UTCDateTime, utcnow
from recall.db import Base


class BrandCultivation(Base):
    __tablename__ = "brand_cultivations"
    __table_args__ = (Index("ix_brand_cultivations_created", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"), index=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.id"), index=True)
    tier: Mapped[str | None] = mapped_column(String(40))
    # enrolled -> diagnosed -> improving -> certification_applied -> certified -> labelled
    stage: Mapped[str] = mapped_column(String(32), index=True)
    certificate_no: Mapped[str | None] = mapped_column(String(100))
    certified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    workflow_id: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(220))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
