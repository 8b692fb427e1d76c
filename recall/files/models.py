"""An uploaded file, its bytes in the database (PostgreSQL or SQLite alike), so that every API
replica serves every file."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from recall.common.types import UTCDateTime, utcnow
from recall.db import Base


class StoredFile(Base):
    __tablename__ = "files"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    uploaded_by: Mapped[str] = mapped_column(String(220))  # the uploader's actor name
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by the case's projection once an act that cites the file is committed; until then
    # only the uploader may read it.
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), index=True)
