"""SQLAlchemy's aiosqlite adapter, with one trip to the connection's thread per statement.

aiosqlite runs every call on the connection's own thread, and each call is a round trip: a queue
put, a thread wake-up and a wake-up of the event loop through its self-pipe. SQLAlchemy's adapter
makes four of them per statement (open a cursor, execute, fetch all, close), and one for every
rollback, though most find no transaction open: SQLAlchemy rolls back each connection it hands
back to the pool, and Python's sqlite3 begins a transaction only before a write. On the API's
command path those hand-overs cost more CPU than the SQL itself. This cursor does the four in
one function on that thread, which also reports whether a transaction is open afterwards; a
commit or rollback with none open (sqlite3 would do nothing) stays off the thread. Everything
else (the pool, errors, server-side cursors) is SQLAlchemy's and aiosqlite's own.

`create_engine` in recall.db passes it as the engine's DBAPI module for `sqlite+aiosqlite` URLs."""

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    AsyncAdapt_aiosqlite_ss_cursor,
)
from sqlalchemy.util import EMPTY_DICT


def _run(conn: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> tuple:
    """On the connection's thread: the whole statement, and what a DBAPI cursor tells of it."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else ()
        return description, rows, cursor.rowcount, cursor.lastrowid, conn.in_transaction
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A client-side cursor whose statement is one call on aiosqlite's thread; the rows come
    back with it (as SQLAlchemy's cursor fetches them all anyway)."""

    __slots__ = ("_description", "_rowcount", "_lastrowid")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection):
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # no aiosqlite cursor: nothing to open or close
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description = None
        self._rowcount = -1
        self._lastrowid = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass

    async def _async_soft_close(self) -> None:
        return None

    def close(self) -> None:
        self._rows.clear()

    async def _trip(self, operation: str, parameters: Any, many: bool) -> None:
        connection, adapted = self._connection, self._adapt_connection
        async with adapted._execute_mutex:
            try:
                result = await connection._execute(
                    _run, connection._conn, operation, parameters, many
                )
            except BaseException:
                adapted._in_transaction = True  # not known: the next end goes to the thread
                raise
        self._description, rows, self._rowcount, self._lastrowid, in_transaction = result
        adapted._in_transaction = in_transaction
        self._rows = collections.deque(rows)

    async def _execute_async(self, operation: Any, parameters: Any) -> None:
        await self._trip(operation, parameters, False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> None:
        await self._trip(operation, seq_of_parameters, True)

    def nextset(self) -> None:
        return None

    def setinputsizes(self, *inputsizes: Any) -> None:
        return None


class _MarkingServerSideCursor(AsyncAdapt_aiosqlite_ss_cursor):
    """aiosqlite's own cursor, which leaves the transaction state unknown."""

    __slots__ = ()

    def __init__(self, adapt_connection: "OneTripConnection"):
        adapt_connection._in_transaction = True
        super().__init__(adapt_connection)


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("_in_transaction",)
    _cursor_cls = OneTripCursor
    _ss_cursor_cls = _MarkingServerSideCursor

    def __init__(self, dbapi: Any, connection: Any):
        super().__init__(dbapi, connection)
        self._in_transaction = True  # not known yet

    def rollback(self) -> None:
        if self._in_transaction:
            super().rollback()
            self._in_transaction = False

    def commit(self) -> None:
        if self._in_transaction:
            super().commit()
            self._in_transaction = False


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


def one_trip_dbapi() -> OneTripDBAPI:
    return OneTripDBAPI(aiosqlite, sqlite3)
