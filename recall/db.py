"""Database plumbing: the declarative base, engines and session factories."""

import asyncio
import weakref
from typing import Any

from sqlalchemy import MetaData, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session

from recall.sqlite_driver import one_trip_dbapi

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def create_engine(url: str, **kwargs) -> AsyncEngine:
    if url.startswith("sqlite"):
        if url.startswith("sqlite+aiosqlite:"):
            kwargs.setdefault("module", one_trip_dbapi())
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


# SQLite lets one transaction write at a time. The others wait in its busy handler, which
# sleeps in growing steps (up to 100 ms each) and polls again: under a few concurrent commands
# most of their time went to sleeping. Writers of one process queue here instead, in order,
# each woken the moment the one before commits. How long one waits before it falls back to
# SQLite's own waiting (another process may hold SQLite's lock).
WRITE_QUEUE_SECONDS = 30
_write_locks: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]" = (
    weakref.WeakKeyDictionary()
)


def _write_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _write_locks.get(loop)
    if lock is None:
        lock = _write_locks[loop] = asyncio.Lock()
    return lock


class _QueuedSyncSession(Session):
    queue_owner: "weakref.ref[SqliteSession] | None" = None


# Once for the class: a listener per session instance cost more than the statements it guards.
@event.listens_for(_QueuedSyncSession, "after_transaction_end")
def _transaction_ended(session: _QueuedSyncSession, transaction: Any) -> None:
    # also a transaction ended another way than the methods below (`async with session.begin()`)
    owner = session.queue_owner() if session.queue_owner is not None else None
    if transaction.parent is None and owner is not None:
        owner._done_writing()


class SqliteSession(AsyncSession):
    """A session whose write transaction holds this process's SQLite write queue (see above) from
    its first write (an INSERT, UPDATE or DELETE construct, or a flush; a textual statement waits
    in SQLite's own way) until it commits, rolls back or closes."""

    _queued: asyncio.Lock | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("sync_session_class", _QueuedSyncSession)
        super().__init__(*args, **kwargs)
        self.sync_session.queue_owner = weakref.ref(self)  # no cycle per session

    async def _writing(self) -> None:
        if self._queued is not None:
            return
        lock = _write_lock()
        try:
            await asyncio.wait_for(lock.acquire(), WRITE_QUEUE_SECONDS)
        except TimeoutError:
            return
        self._queued = lock

    def _done_writing(self) -> None:
        lock, self._queued = self._queued, None
        if lock is not None:
            lock.release()

    def _has_changes(self) -> bool:
        return bool(self.new or self.dirty or self.deleted)

    async def execute(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(statement, "is_dml", False):
            await self._writing()
        return await super().execute(statement, *args, **kwargs)

    async def flush(self, objects: Any = None) -> None:
        if self._has_changes():
            await self._writing()
        await super().flush(objects)

    async def commit(self) -> None:
        if self._has_changes():
            await self._writing()
        try:
            await super().commit()
        finally:
            self._done_writing()

    async def rollback(self) -> None:
        try:
            await super().rollback()
        finally:
            self._done_writing()

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            self._done_writing()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    if engine.dialect.name == "sqlite":
        return async_sessionmaker(engine, expire_on_commit=False, class_=SqliteSession)
    return async_sessionmaker(engine, expire_on_commit=False)
