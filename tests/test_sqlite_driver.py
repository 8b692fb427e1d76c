"""recall.sqlite_driver: a statement is one trip to aiosqlite's thread, and a cursor tells what
a DBAPI cursor tells (rows, rowcount, lastrowid, errors), inside SQLAlchemy's transactions."""

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from recall.db import create_engine
from recall.sqlite_driver import OneTripConnection


@pytest.fixture
async def engine(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
    yield engine
    await engine.dispose()


@pytest.fixture
def trips(monkeypatch) -> list:
    made = []
    the_real = aiosqlite.Connection._execute

    async def counted(self, fn, *args, **kwargs):
        made.append(getattr(fn, "__name__", fn))
        return await the_real(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return made


async def test_the_engine_uses_it(engine):
    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).dbapi_connection
        assert isinstance(raw, OneTripConnection)


async def test_a_statement_is_one_trip_and_its_rows_come_with_it(engine, trips):
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))  # the connection is made and checked out
        trips.clear()
        rows = (await conn.execute(text("SELECT :a AS a, :b AS b"), {"a": 1, "b": "x"})).all()
        assert [tuple(r) for r in rows] == [(1, "x")]
        assert trips == ["_run"]
        result = await conn.execute(text("SELECT 1 WHERE 0"))
        assert result.all() == []
        assert result.keys() == ["1"]


async def test_rowcount_lastrowid_returning_and_executemany(engine):
    async with engine.begin() as conn:
        inserted = await conn.execute(text("INSERT INTO t (name) VALUES ('a')"))
        assert inserted.lastrowid == 1
        await conn.execute(text("INSERT INTO t (name) VALUES (:n)"), [{"n": "b"}, {"n": "c"}])
        updated = await conn.execute(text("UPDATE t SET name = name || '!' WHERE id > 1"))
        assert updated.rowcount == 2
        returned = await conn.execute(text("INSERT INTO t (name) VALUES ('d') RETURNING id, name"))
        assert [tuple(r) for r in returned] == [(4, "d")]
    async with engine.connect() as conn:
        names = (await conn.execute(text("SELECT name FROM t ORDER BY id"))).scalars().all()
    assert names == ["a", "b!", "c!", "d"]


async def test_errors_are_sqlalchemys_and_a_rollback_undoes_the_transaction(engine, trips):
    async with engine.connect() as conn:
        await conn.execute(text("INSERT INTO t (name) VALUES ('a')"))
        await conn.commit()  # no transaction open now
        with pytest.raises(IntegrityError):  # opens one, writes 'b', fails on 'a'
            await conn.execute(text("INSERT INTO t (name) VALUES (:n)"), [{"n": "b"}, {"n": "a"}])
        trips.clear()
        await conn.rollback()  # after a failed statement the state is not known: it goes
        assert trips == ["rollback"]
        with pytest.raises(OperationalError, match="no such table"):
            await conn.execute(text("SELECT * FROM missing"))
        await conn.rollback()
        names = (await conn.execute(text("SELECT name FROM t"))).scalars().all()
    assert names == ["a"]


async def test_a_server_side_cursor_still_streams(engine):
    async with engine.begin() as conn:
        await conn.execute(
            text("INSERT INTO t (name) VALUES (:n)"), [{"n": str(i)} for i in range(5)]
        )
    async with engine.connect() as conn:
        stream = await conn.stream(text("SELECT name FROM t ORDER BY id"))
        assert [row[0] async for row in stream] == ["0", "1", "2", "3", "4"]


async def test_an_end_with_no_transaction_open_stays_off_the_thread(engine, trips):
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
        trips.clear()
        await conn.rollback()  # a read opens no transaction in sqlite3
        async with engine.connect() as other:  # SQLAlchemy's reset on checkout and return
            await other.execute(text("SELECT 1"))
        assert "rollback" not in trips and "commit" not in trips

        await conn.execute(text("INSERT INTO t (name) VALUES ('a')"))
        trips.clear()
        await conn.rollback()
        assert trips == ["rollback"]
        await conn.execute(text("INSERT INTO t (name) VALUES ('b')"))
        await conn.commit()
        assert trips == ["rollback", "_run", "commit"]
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT name FROM t"))).scalars().all() == ["b"]
