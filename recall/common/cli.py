"""What `recall` commands that work on the database directly share: one clear line on failure."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from recall.config import get_settings
from recall.db import create_engine, create_sessionmaker
from recall.errors import DomainError

T = TypeVar("T")
SessionFactory = async_sessionmaker[AsyncSession]


def fail(message: str, *, exit_code: int) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(exit_code)


def shown_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparsable RECALL_DATABASE_URL)"


def with_database(work: Callable[[SessionFactory], Awaitable[T]]) -> T:
    """Run `work` against the configured database. A refused command (DomainError) exits 2 with
    its detail; a database that is missing, unreachable or not migrated exits 1."""
    settings = get_settings()
    url = settings.sqlalchemy_url
    if settings.database_url is None and not (settings.data_dir / "recall.db").exists():
        fail(
            f"no database in {settings.data_dir.resolve()}: run `recall db upgrade` "
            "(or `recall up`) first, or set RECALL_DATA_DIR",
            exit_code=1,
        )

    async def run() -> T:
        engine = create_engine(url)
        try:
            return await work(create_sessionmaker(engine))
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    except DomainError as err:
        fail(err.detail, exit_code=2)
    except (SQLAlchemyError, OSError) as exc:
        cause = getattr(exc, "orig", None) or exc
        first_line = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        if "no such table" in first_line or first_line.startswith("relation "):
            first_line += "; has `recall db upgrade` run?"
        fail(f"database {shown_url(url)}: {first_line}", exit_code=1)
