"""Writing batches of imported defect reports: which keys are filed already, and the insert.

The look-up sends a batch's keys as one parameter. The insert sends every value as its column's
SQLAlchemy type would (each type's own bind processor: JSON as text, times in UTC or in the
format SQLite keeps), but without SQLAlchemy's per-row machinery: on PostgreSQL one array per
column, unnested; on SQLite the driver's executemany. Either way a row whose external_key is
there already (filed by a concurrent import) is skipped (ON CONFLICT DO NOTHING) and not counted
as inserted.
"""

import asyncio
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import JSON, Select, String, TextClause, any_, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from recall.common.types import UTCDateTime
from recall.reports.models import DefectReport

Row = dict[str, Any]


def filed_query(dialect: str, keys: list[str]) -> Select:
    """The keys among `keys` that a defect report has, with the keys as one parameter."""
    column = DefectReport.external_key
    if dialect == "postgresql":
        return select(column).where(column == any_(bindparam("keys", keys, ARRAY(String))))
    given = func.json_each(bindparam("keys", json.dumps(keys))).table_valued("value")
    return select(column).where(column.in_(select(given.c.value)))


async def insert_rows(session: AsyncSession, rows: list[Row], shared: Row) -> int:
    """Insert the rows (all with the same keys), each with the `shared` columns too, but those
    whose key is taken; how many went in."""
    dialect = session.bind.dialect
    own = tuple(rows[0])
    encoders = [(column, _encoder(column, dialect)) for column in own]
    alike = {
        column: encode(value) if (encode := _encoder(column, dialect)) else value
        for column, value in shared.items()
    }
    if dialect.name == "postgresql":
        parameters = {f"shared_{column}": value for column, value in alike.items()}
        for column, encode in encoders:
            values = [row[column] for row in rows]
            parameters[column] = list(map(encode, values)) if encode else values
        statement = _unnest_insert(own, tuple(shared))
        return (await session.execute(statement, parameters)).scalar_one()
    # sqlite3 counts the rows it inserted, not those ON CONFLICT skipped.
    same = tuple(alike.values())
    parameters = [
        tuple(encode(row[c]) if encode else row[c] for c, encode in encoders) + same for row in rows
    ]
    connection = await session.connection()
    inserted = await connection.exec_driver_sql(_sqlite_statement(own + tuple(shared)), parameters)
    return inserted.rowcount


def _encoder(column: str, dialect) -> Callable[[Any], Any] | None:
    """What SQLAlchemy does to a value of the column before the driver sees it, if anything."""
    return _type_of(column).dialect_impl(dialect).bind_processor(dialect)


def _type_of(column: str):
    return DefectReport.__table__.c[column].type


def _cast(expression: str, column: str, array: bool = False) -> str:
    """The parameter as the column's type: JSON travels as text, times as timestamptz."""
    kind = _type_of(column)
    sent = "timestamptz" if isinstance(kind, UTCDateTime) else "text"
    value = f"CAST({expression} AS {sent}{'[]' if array else ''})"
    return f"CAST({value} AS json)" if isinstance(kind, JSON) and not array else value


_STATEMENTS: dict[tuple[tuple[str, ...], tuple[str, ...]], TextClause] = {}


def _unnest_insert(columns: tuple[str, ...], shared: tuple[str, ...]) -> TextClause:
    """INSERT ... SELECT FROM unnest(one array per column): asyncpg encodes each array in C; a
    column all rows share is one parameter. It answers how many rows went in.
    Key order makes concurrent imports take the unique-index locks in one order: no deadlock."""
    if (columns, shared) not in _STATEMENTS:
        arrays = ", ".join(_cast(f":{column}", column, array=True) for column in columns)
        selected = [
            f"CAST({column} AS json)" if isinstance(_type_of(column), JSON) else column
            for column in columns
        ] + [_cast(f":shared_{column}", column) for column in shared]
        names = ", ".join(columns)
        _STATEMENTS[columns, shared] = text(
            f"WITH filed AS (INSERT INTO defect_reports ({', '.join(columns + shared)}) "
            f"SELECT {', '.join(selected)} FROM unnest({arrays}) AS given({names}) "
            "ORDER BY external_key "
            "ON CONFLICT (external_key) DO NOTHING RETURNING 1) "
            "SELECT count(*) FROM filed"
        )
    return _STATEMENTS[columns, shared]


def _sqlite_statement(columns: tuple[str, ...]) -> str:
    return (
        f"INSERT INTO defect_reports ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' * len(columns))}) ON CONFLICT (external_key) DO NOTHING"
    )


class BatchWriter:
    """Inserts one batch at a time, each in its own transaction and a task of its own, so that
    the database works on a batch while the caller prepares the next; `finish` waits for it."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]):
        self._session_factory = session_factory
        self._pending: asyncio.Task[int] | None = None
        self._rows = 0

    def start(self, rows: list[Row], shared: Row) -> None:
        self._pending = asyncio.create_task(self._write(rows, shared)) if rows else None
        self._rows = len(rows)

    async def finish(self) -> tuple[int, int]:
        """(inserted, skipped) of the batch started last; (0, 0) if none."""
        inserted = 0
        if self._pending is not None:
            inserted = await self._pending
            self._pending = None
        skipped, self._rows = self._rows - inserted, 0
        return inserted, skipped

    async def abandon(self) -> None:
        """After an error: stop the batch in flight (its transaction rolls back)."""
        if self._pending is not None:
            self._pending.cancel()
            await asyncio.gather(self._pending, return_exceptions=True)
            self._pending = None

    async def _write(self, rows: list[Row], shared: Row) -> int:
        async with self._session_factory() as session, session.begin():
            return await insert_rows(session, rows, shared)
