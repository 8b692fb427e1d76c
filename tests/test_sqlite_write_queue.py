"""SQLite takes one writer at a time: the writers of one process queue in order on
recall.db's write queue (held from the first write to the end of the transaction) instead of
sleeping in SQLite's busy handler. Every way a transaction ends lets the next one in."""

import asyncio

from sqlalchemy import column, insert, table, text

from recall.db import _write_lock, create_engine, create_sessionmaker

T = table("t", column("x"))


def write(x: int):
    return insert(T).values(x=x)


async def test_writers_queue_and_every_way_out_lets_the_next_in(tmp_path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'q.db'}")
    sessions = create_sessionmaker(engine)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (x INTEGER)"))
    try:
        queue = _write_lock()
        async with sessions() as reader:  # a read takes no place in the queue
            await reader.execute(text("SELECT count(*) FROM t"))
            assert not queue.locked()

        first = sessions()
        await first.execute(write(1))
        assert queue.locked()

        async def second() -> None:
            async with sessions() as session:
                await session.execute(write(2))
                await session.commit()

        waiting = asyncio.create_task(second())
        await asyncio.sleep(0.05)
        assert not waiting.done()  # queued behind the first, not in SQLite's busy handler
        await first.commit()
        await asyncio.wait_for(waiting, 5)
        assert not queue.locked()
        await first.close()

        async with sessions() as session, session.begin():  # ended by the context manager
            await session.execute(write(3))
        assert not queue.locked()

        async with sessions() as session:  # written, then closed without a commit
            await session.execute(write(4))
        assert not queue.locked()

        async with sessions() as session:
            await session.execute(write(5))
            await session.rollback()
            assert not queue.locked()
            rows = (await session.execute(text("SELECT x FROM t ORDER BY x"))).scalars().all()
        assert rows == [1, 2, 3]
    finally:
        await engine.dispose()
