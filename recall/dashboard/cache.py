"""Figures shared by every reader of the public dashboard in this process.

At a million hazards a count takes tens of milliseconds of database time, and fifty readers
arriving together would each make it. Here each figure (keyed by what it counts and the
normalised filter) is counted once at a time: readers that arrive while it is counted wait for
that count (single flight). A figure is served as it is while it is younger than max_age. Once
older, it is still served, while one count runs in the background, until it is twice max_age
old; then readers wait for the new count. A commit made in this process that wrote a table the
figures are counted from (the worker's projection under `recall up`, a test's writes; not an
audit entry or an idempotency key) makes readers wait for a new count at once. Commits of other
processes show within max_age plus the time a count takes. At most max_keys figures are kept,
the least recently used dropped first: filters come from anyone.

Every figure carries the moment its counting began (as_of); the answers say how old it is."""

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

log = logging.getLogger("recall.dashboard")
_commits = 0  # commits of this process that wrote a watched table
_watched: set[str] = set()
_WROTE, _COMMITTED = "recall_figures_written", "recall_figures_committed"


def local_commits() -> int:
    return _commits


def _executed(conn, _cursor, statement, _parameters, context, _executemany) -> None:
    if context.isinsert or context.isupdate or context.isdelete:
        table = getattr(context.compiled.statement, "table", None)
        wrote = table is None or getattr(table, "name", None) in _watched
    else:  # text: anything but a read may write anything
        wrote = context.is_text and not statement.lstrip()[:6].upper().startswith(
            ("SELECT", "WITH")
        )
    if wrote:
        conn.info[_WROTE] = True


def _info(conn) -> dict | None:
    """The connection's info, or None for one the database dropped: asking an invalidated
    connection for it raises, and an error here would turn the 503 of an outage into a 500."""
    try:
        return conn.info
    except Exception:
        return None


def _committing(conn) -> None:
    info = _info(conn)
    if info is not None and info.pop(_WROTE, False):
        info[_COMMITTED] = True


def _rolling_back(conn) -> None:
    info = _info(conn)
    if info is not None:
        info.pop(_WROTE, None)


def _returned(_dbapi_connection, record) -> None:
    # Counted on check-in, after the commit is done: a count that starts now sees it.
    global _commits
    if record is not None and record.info.pop(_COMMITTED, False):
        _commits += 1


def watch_local_commits(tables: set[str]) -> None:
    """Count the commits, by any engine of this process, that wrote one of these tables (or ran
    a textual statement other than a read). Listeners are added once; tables add up."""
    _watched.update(tables)
    if not event.contains(Engine, "commit", _committing):
        event.listen(Engine, "after_cursor_execute", _executed)
        event.listen(Engine, "commit", _committing)
        event.listen(Engine, "rollback", _rolling_back)
        event.listen(Pool, "checkin", _returned)


@dataclass(frozen=True, eq=False)
class Counted:
    value: Any
    as_of: datetime  # when the counting began
    began: float  # the cache's clock at that moment
    commits: int  # local_commits() at that moment


def _utcnow() -> datetime:
    return datetime.now(UTC)


class FigureCache:
    def __init__(
        self,
        *,
        max_age: float,
        max_keys: int,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.max_age = max_age
        self.max_keys = max_keys
        self._clock = clock
        self._now = now
        self._entries: OrderedDict[Hashable, Counted] = OrderedDict()
        self._counting: dict[Hashable, asyncio.Task] = {}
        self.counts = 0  # counts started, for tests and benches
        self.pages: OrderedDict[Hashable, tuple[tuple[Counted, ...], Any]] = OrderedDict()

    def age(self, counted: Counted) -> float:
        return max(0.0, self._clock() - counted.began)

    async def get(self, key: Hashable, count: Callable[[], Awaitable[Any]]) -> Counted:
        """The figure under key: kept, or counted by count() (one count at a time per key)."""
        entry = self._entries.get(key)
        if entry is not None and entry.commits == _commits:
            age = self._clock() - entry.began
            if age < self.max_age:
                self._entries.move_to_end(key)
                return entry
            if age < 2 * self.max_age:
                self._counting_of(key, count)  # a new count in the background
                self._entries.move_to_end(key)
                return entry
        return await asyncio.shield(self._counting_of(key, count))

    def _counting_of(self, key: Hashable, count: Callable[[], Awaitable[Any]]) -> asyncio.Task:
        task = self._counting.get(key)
        if task is None:
            task = asyncio.create_task(self._count(count))
            self._counting[key] = task
            task.add_done_callback(lambda done: self._store(key, done))
        return task

    async def _count(self, count: Callable[[], Awaitable[Any]]) -> Counted:
        self.counts += 1
        began, as_of, commits = self._clock(), self._now(), _commits
        return Counted(await count(), as_of, began, commits)

    def _store(self, key: Hashable, task: asyncio.Task) -> None:
        if self._counting.get(key) is task:
            del self._counting[key]
        if task.cancelled():
            return
        if (error := task.exception()) is not None:  # the waiters, if any, have it too
            log.warning("counting dashboard figures %s failed: %r", key, error)
            return
        self._entries[key] = task.result()
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_keys:
            self._entries.popitem(last=False)

    def page(self, key: Hashable, sources: tuple[Counted, ...]) -> Any:
        """What was kept under key by keep_page from exactly these figures, else None."""
        kept = self.pages.get(key)
        if kept is None or len(kept[0]) != len(sources):
            return None
        if any(a is not b for a, b in zip(kept[0], sources, strict=True)):
            return None
        self.pages.move_to_end(key)
        return kept[1]

    def keep_page(self, key: Hashable, sources: tuple[Counted, ...], page: Any) -> None:
        """Something made from these figures alone (a rendered page), kept while they are."""
        self.pages[key] = (sources, page)
        self.pages.move_to_end(key)
        while len(self.pages) > self.max_keys:
            self.pages.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
