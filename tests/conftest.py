"""Servers and databases for the suite: a fresh PostgreSQL database migrated once per run,
Temporal servers from the pip packages, and the app wired to them. Nothing reaches the network."""

import os
import socket
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from recall import migrate
from recall.db import Base, create_engine, create_sessionmaker, import_models

PG_SERVER = os.environ.get("RECALL_TEST_PG", "postgresql://postgres@127.0.0.1:5432")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def create_database(name: str) -> str:
    conn = await asyncpg.connect(f"{PG_SERVER}/test")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return f"{PG_SERVER.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"


async def drop_database(name: str) -> None:
    conn = await asyncpg.connect(f"{PG_SERVER}/test")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
async def pg_url() -> AsyncIterator[str]:
    """A database of its own for this run, migrated to head (not create_all)."""
    name = f"recall_test_{uuid.uuid4().hex[:10]}"
    url = await create_database(name)
    engine = create_engine(url)
    await migrate.upgrade(engine)
    await engine.dispose()
    yield url
    await drop_database(name)


@pytest.fixture(scope="session")
async def engine(pg_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(pg_url)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


@pytest.fixture
async def db(engine: AsyncEngine, sessionmaker) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Empty tables for one test. Workflows write through their own sessions, so a rolled-back
    transaction per test cannot hold them; truncation can."""
    import_models()
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield sessionmaker
