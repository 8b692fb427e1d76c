"""The PostgreSQL database a bench fills: a fresh recall_bench_<random>, dropped at the end
unless kept, or a kept one reused by name (never dropped)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True)
class BenchDatabase:
    server: str  # postgresql://host:port
    name: str
    created: bool  # False: a kept database, reused

    @property
    def url(self) -> str:
        """SQLAlchemy's URL of it."""
        return f"{self.server.replace('postgresql://', 'postgresql+asyncpg://')}/{self.name}"

    @property
    def dsn(self) -> str:
        """asyncpg's."""
        return f"{self.server}/{self.name}"


@asynccontextmanager
async def bench_database(
    pg_url: str, reuse: str | None = None, keep: bool = False, log: Callable = print
) -> AsyncIterator[BenchDatabase]:
    server = pg_url.rstrip("/")
    name = reuse or f"recall_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(f"{server}/postgres")
    try:
        if not reuse:
            await admin.execute(f'CREATE DATABASE "{name}"')
        yield BenchDatabase(server, name, created=not reuse)
    finally:
        try:
            if not reuse and not keep:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                log(f"dropped {name}")
            elif not reuse:
                log(f'kept {name} (drop it with: DROP DATABASE "{name}" WITH (FORCE))')
        finally:
            await admin.close()
