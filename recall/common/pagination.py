"""Cursor pages: {"items": [...], "next_cursor": ...} with keyset cursors (stable under inserts)."""

import base64
import json
from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import BigInteger, DateTime, Integer, Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession

from recall.common.text import control_character
from recall.common.types import UTCDateTime
from recall.errors import InvalidField

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=500, description="page size, at most 500")]
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(values: list) -> str:
    raw = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, n: int) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded))
        if not isinstance(values, list) or len(values) != n:
            raise ValueError
        return values
    except ValueError:
        raise InvalidField("cursor is not one this API handed out", field="cursor") from None


async def keyset_page(
    session: AsyncSession,
    stmt: Select,
    columns: list,
    *,
    limit: int,
    cursor: str | None,
    descending: bool = False,
) -> tuple[list, str | None]:
    """Run stmt ordered by columns (the last one unique) and return one page of rows."""
    if cursor:
        values = decode_cursor(cursor, len(columns))
        try:
            values = [_cursor_value(col, v) for col, v in zip(columns, values, strict=True)]
        except (TypeError, ValueError, OverflowError):
            raise InvalidField("cursor is not one this API handed out", field="cursor") from None
        stmt = stmt.where(_after(columns, values, descending))
    order = [c.desc() if descending else c.asc() for c in columns]
    rows = (await session.execute(stmt.order_by(*order).limit(limit + 1))).scalars().all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor([getattr(last, c.key) for c in columns])
    return list(rows), next_cursor


def _is_datetime(column) -> bool:
    return isinstance(column.type, DateTime | UTCDateTime)


def _cursor_value(column, value):
    """A value of a cursor as its column takes it, or ValueError: a forged cursor must not reach
    the database as a wrong type, a NUL, an integer too wide or a time out of range."""
    if _is_datetime(column):
        moment = datetime.fromisoformat(value)  # TypeError unless a str
        if moment.tzinfo is None:
            raise ValueError("a time without its offset")
        moment.astimezone(UTC)  # OverflowError near years 1 and 9999
        return moment
    if isinstance(column.type, Integer):
        bits = 63 if isinstance(column.type, BigInteger) else 31
        if type(value) is not int or not -(2**bits) <= value < 2**bits:
            raise ValueError("not an integer of the column")
        return value
    if not isinstance(value, str) or control_character(value):
        raise ValueError("not a text of the column")
    return value


def _after(columns: list, values: list, descending: bool):
    """(a, b) > (x, y) spelled out, portable to SQLite and PostgreSQL."""
    clauses = []
    for i, col in enumerate(columns):
        prefix = [columns[j] == values[j] for j in range(i)]
        cmp = col < values[i] if descending else col > values[i]
        clauses.append(and_(*prefix, cmp))
    return or_(*clauses)
