"""The per-address limit of the public comment form, on PostgreSQL and SQLite: comments sent at the
same moment all count (one atomic upsert), the window starts again once it is over, addresses
count apart, and no address is stored."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from recall import migrate
from recall.common.types import utcnow
from recall.db import create_engine, create_sessionmaker
from recall.standards.models import PublicCommentCount
from recall.standards.public_comment import (
    MAX_COMMENTS,
    WINDOW,
    TooManyComments,
    count_comment,
    public_principal,
)


@pytest.fixture(params=["postgresql", "sqlite"])
async def sessions(request, db, tmp_path):
    if request.param == "postgresql":
        yield db
        return
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'recall.db'}")
    await migrate.upgrade(engine)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def _count(sessions, address: str, now) -> bool:
    """True if the comment was let through."""
    async with sessions() as session:
        try:
            await count_comment(session, address, now)
        except TooManyComments:
            return False
    return True


async def test_comments_sent_at_once_all_count(sessions) -> None:
    now = utcnow()
    sent = await asyncio.gather(*(_count(sessions, "203.0.113.9", now) for _ in range(8)))
    assert sent.count(True) == MAX_COMMENTS and sent.count(False) == 8 - MAX_COMMENTS
    assert await _count(sessions, "203.0.113.10", now)  # another address counts apart
    later = now + WINDOW + timedelta(seconds=1)
    assert await _count(sessions, "203.0.113.9", later)  # a new window
    async with sessions() as session:
        keys = (await session.execute(select(PublicCommentCount.key))).scalars().all()
    assert keys and not any("203.0.113" in key for key in keys)


async def test_a_public_actor_names_no_address() -> None:
    one = public_principal("std_a", "203.0.113.9")
    assert one.actor.startswith("public:") and "203" not in one.actor
    assert one == public_principal("std_a", "203.0.113.9")
    assert one.actor != public_principal("std_b", "203.0.113.9").actor
