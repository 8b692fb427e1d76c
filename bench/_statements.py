"""The SQL statements a piece of product code sends, with their parameters: for EXPLAIN, and for
timing the same statements on a raw connection (the floor of a call)."""

from collections.abc import Awaitable, Callable

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker


async def statements_of(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    run: Callable[[AsyncSession], Awaitable],
) -> list[tuple[str, tuple]]:
    """(statement, parameters) of each statement run(session) sends, in order; a new session."""
    seen: list[tuple[str, tuple]] = []

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append((statement, tuple(parameters or ())))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        async with sessionmaker() as session:
            await run(session)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
    return seen
