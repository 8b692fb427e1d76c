"""Column types and id helpers shared by every domain."""

import hashlib
import os
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC out, on SQLite (which drops offsets) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


CLOCK_SKEW = timedelta(minutes=5)


def in_the_future(moment: datetime | None) -> bool:
    """A time a person gave that has not happened yet (allowing for a clock a little ahead)."""
    return moment is not None and moment > utcnow() + CLOCK_SKEW


def _b32(n: int, length: int) -> str:
    out = []
    for _ in range(length):
        out.append(_CROCKFORD[n & 31])
        n >>= 5
    return "".join(reversed(out))


def new_id(prefix: str) -> str:
    """A time-ordered opaque id (ULID layout) with a readable prefix."""
    ms = int(time.time() * 1000)
    return f"{prefix}_{_b32(ms, 10)}{_b32(int.from_bytes(os.urandom(10), 'big'), 16)}"


def derived_id(prefix: str, seed: str, n: int) -> str:
    """The same id for the same seed: a retried request (same Idempotency-Key) acts once."""
    digest = hashlib.sha256(f"{seed}:{prefix}:{n}".encode()).digest()
    return f"{prefix}_{_b32(int.from_bytes(digest[:17], 'big'), 26)}"
