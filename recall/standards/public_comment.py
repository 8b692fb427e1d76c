"""Comments from the public (the form at /standards/{id}/comment): who they are recorded as, and
how many one client address may send.

A comment from the public is the same workflow command as one through the API; its actor is
`public:<6 hex>`, a hash of the standard and the client address: comments from one address
look alike within one standard's log (the drafters can tell a flood), yet the prefix is too
short to name an address (each one stands for a few hundred) and differs between standards.

At most MAX_COMMENTS comments from one address within WINDOW: counted in the database
(public_comment_counts, one atomic upsert as recall.accounts.service counts failed sign-ins),
so every replica counts alike and comments sent at the same moment all count. The key is the
SHA-256 of the address, never the address itself."""

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from recall.auth.principal import Principal
from recall.common.types import UTCDateTime
from recall.errors import DomainError
from recall.standards.models import PublicCommentCount

MAX_COMMENTS = 5
WINDOW = timedelta(minutes=10)
PUBLIC_ROLE = "public"


class TooManyComments(DomainError):
    status_code = 429
    code = "too_many_comments"

    def __init__(self, until: datetime):
        super().__init__(
            f"at most {MAX_COMMENTS} comments from one address in "
            f"{int(WINDOW.total_seconds() // 60)} minutes: try again after {until.isoformat()}"
        )
        self.until = until


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def public_principal(standard_id: str, address: str) -> Principal:
    """Whom a comment from the public is recorded as (its milestone's and the audit's actor)."""
    return Principal(name=_digest("public-comment", standard_id, address)[:6], role=PUBLIC_ROLE)


def address_key(address: str) -> str:
    return _digest("public-comment-address", address)


async def count_comment(session: AsyncSession, address: str, now: datetime) -> None:
    """One more comment from this address (committed), or TooManyComments once it has sent
    MAX_COMMENTS in the current window (which starts at its first comment)."""
    table = PublicCommentCount.__table__
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stale = table.c.window_started_at <= literal(now - WINDOW, UTCDateTime())
    stmt = (
        insert(table)
        .values(key=address_key(address), comments=1, window_started_at=now)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "comments": case((stale, 1), else_=table.c.comments + 1),
                "window_started_at": case(
                    (stale, literal(now, UTCDateTime())), else_=table.c.window_started_at
                ),
            },
        )
        .returning(table.c.comments, table.c.window_started_at)
    )
    comments, started = (await session.execute(stmt)).one()
    # counts whose window is over are kept no longer (anyone's)
    await session.execute(
        delete(PublicCommentCount).where(PublicCommentCount.window_started_at <= now - WINDOW)
    )
    await session.commit()
    if comments > MAX_COMMENTS:
        raise TooManyComments(started + WINDOW)
