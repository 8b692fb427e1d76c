"""The dashboard's shared figures (recall.dashboard.cache) on their own: a clock the test moves,
counts the test controls, no server."""

import asyncio

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert

from recall.dashboard.cache import FigureCache, local_commits, watch_local_commits
from recall.db import create_engine


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Source:
    """A figure that the test changes; counts of it are counted."""

    def __init__(self) -> None:
        self.value = 1
        self.calls = 0
        self.gate: asyncio.Event | None = None

    async def count(self) -> int:
        self.calls += 1
        if self.gate is not None:
            await self.gate.wait()
        return self.value


async def settle() -> None:
    """Let every ready task run until each waits (a few turns of the loop, no time passes)."""
    for _ in range(5):
        await asyncio.sleep(0)


def _cache(clock: Clock, max_age: float = 2.0, max_keys: int = 100) -> FigureCache:
    return FigureCache(max_age=max_age, max_keys=max_keys, clock=clock)


async def test_fifty_readers_arriving_together_make_one_count() -> None:
    cache, source = _cache(Clock()), Source()
    source.gate = asyncio.Event()
    readers = [asyncio.create_task(cache.get("summary", source.count)) for _ in range(50)]
    await settle()  # all fifty are waiting now
    assert source.calls == 1
    source.gate.set()
    answers = await asyncio.gather(*readers)
    assert source.calls == 1 and cache.counts == 1
    assert {id(a) for a in answers} == {id(answers[0])} and answers[0].value == 1


async def test_a_change_is_shown_once_the_figure_is_max_age_old() -> None:
    clock, source = Clock(), Source()
    cache = _cache(clock, max_age=2.0)
    first = await cache.get("k", source.count)
    source.value = 2  # a change the cache cannot see (another process committed it)
    clock.now += 1.9
    assert (await cache.get("k", source.count)) is first and source.calls == 1
    assert cache.age(first) == pytest.approx(1.9)
    clock.now += 0.2  # 2.1 s old: served once more while it is counted again
    assert (await cache.get("k", source.count)).value == 1
    await settle()  # the background count runs
    fresh = await cache.get("k", source.count)
    assert fresh.value == 2 and source.calls == 2 and cache.age(fresh) == 0


async def test_a_figure_twice_max_age_old_is_never_served() -> None:
    clock, source = Clock(), Source()
    cache = _cache(clock, max_age=2.0)
    await cache.get("k", source.count)
    source.value = 2
    clock.now += 4.0
    assert (await cache.get("k", source.count)).value == 2  # waited for the count


async def test_max_age_zero_counts_for_every_reader() -> None:
    cache, source = _cache(Clock(), max_age=0), Source()
    for expected in (1, 2, 3):
        source.value = expected
        assert (await cache.get("k", source.count)).value == expected
    assert source.calls == 3


async def test_a_commit_in_this_process_that_wrote_the_figures_counts_again_at_once(
    tmp_path,
) -> None:
    metadata = MetaData()
    counted_from = Table("test_figures_source", metadata, Column("x", Integer))
    elsewhere = Table("test_figures_elsewhere", metadata, Column("x", Integer))
    watch_local_commits({counted_from.name})
    clock, source = Clock(), Source()
    cache = _cache(clock, max_age=60)
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'commit.db'}")
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        await cache.get("k", source.count)
        before = local_commits()
        async with engine.begin() as conn:  # an audit entry, an idempotency key: not figures
            await conn.execute(insert(elsewhere).values(x=1))
        async with engine.connect() as conn:  # a write rolled back changes nothing
            await conn.execute(insert(counted_from).values(x=1))
            await conn.rollback()
        assert local_commits() == before
        assert (await cache.get("k", source.count)).value == 1 and source.calls == 1
        source.value = 2
        async with engine.begin() as conn:
            await conn.execute(insert(counted_from).values(x=2))
        assert local_commits() == before + 1
        assert (await cache.get("k", source.count)).value == 2  # no clock moved
        async with engine.begin() as conn:  # a textual statement may write anything
            await conn.exec_driver_sql("DELETE FROM test_figures_elsewhere")
        assert local_commits() == before + 2
    finally:
        await engine.dispose()


async def test_keys_are_bounded_least_recently_used_first() -> None:
    cache, source = _cache(Clock(), max_keys=3), Source()
    for n in range(10):
        await cache.get(("summary", n), source.count)
        cache.keep_page(("page", n), (), b"html")
    assert len(cache) == 3 and len(cache.pages) == 3
    await cache.get(("summary", 7), source.count)  # still kept: not counted again
    assert source.calls == 10
    await cache.get(("summary", 0), source.count)  # dropped long ago: counted again
    assert source.calls == 11


async def test_a_failed_count_reaches_every_waiter_and_is_not_kept() -> None:
    cache, gate, calls = _cache(Clock()), asyncio.Event(), []

    async def failing() -> int:
        calls.append(1)
        await gate.wait()
        raise RuntimeError("database away")

    readers = [asyncio.create_task(cache.get("k", failing)) for _ in range(5)]
    await settle()
    gate.set()
    results = await asyncio.gather(*readers, return_exceptions=True)
    assert len(calls) == 1 and all(isinstance(r, RuntimeError) for r in results)
    assert len(cache) == 0


async def test_a_page_is_kept_only_while_its_figures_are_the_current_ones() -> None:
    clock, source = Clock(), Source()
    cache = _cache(clock, max_age=2.0)
    figures = (await cache.get("k", source.count),)
    cache.keep_page("page", figures, b"<html>1</html>")
    assert cache.page("page", (await cache.get("k", source.count),)) == b"<html>1</html>"
    clock.now += 5  # too old: counted again, and the page made from the old count is gone
    assert cache.page("page", (await cache.get("k", source.count),)) is None


def test_a_dropped_connection_is_no_error_for_the_commit_watch() -> None:
    """The database gone mid-transaction: asking the connection for its info raises. The watch
    must let the rollback go on, or an outage's 503 becomes a 500 (seen under load)."""
    from recall.dashboard import cache as figure_cache_module

    class Dropped:
        @property
        def info(self):
            raise RuntimeError("Can't reconnect until invalid transaction is rolled back")

    figure_cache_module._rolling_back(Dropped())
    figure_cache_module._committing(Dropped())
