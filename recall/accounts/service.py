"""People's accounts: made, listed, disabled and given a new password (by `recall user` and the
admin page), and the password check of signing in, slowed down for a guesser.

A failed sign-in counts against two keys, `user:<username>` and `addr:<client address>`; after
MAX_FAILURES within WINDOW a key is locked for LOCK, and every sign-in on it is refused (429)
without looking at the password. The count is one atomic upsert, so failures sent at the same
moment all count, on PostgreSQL and SQLite alike."""

import asyncio
import re
from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, literal, null, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from recall.accounts import passwords
from recall.accounts.models import Account, SigninFailures, WebSession
from recall.auth.tokens import check_scope
from recall.common.text import control_character
from recall.common.types import UTCDateTime, new_id, utcnow
from recall.errors import Conflict, DomainError, InvalidField, NotFound, Unauthorized

USERNAME = re.compile(r"[A-Za-z0-9._-]{1,64}")
MAX_FAILURES = 5  # for one username
# For one address: higher, so that one office behind one NAT is not locked out by a few
# mistyped passwords, yet a guesser trying many usernames from one address is stopped.
MAX_ADDRESS_FAILURES = 20
SLOWDOWN = 0.25  # seconds per failure counted so far, at most MAX_SLOWDOWN: slowed, then refused
MAX_SLOWDOWN = 2.0
WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)


class SigninRefused(Unauthorized):
    """Unknown user, wrong password or disabled account: one answer for all three. The detail
    (which one it was) is for the audit trail, never for the person signing in."""

    code = "signin_refused"


class SigninLocked(DomainError):
    status_code = 429
    code = "too_many_failures"

    def __init__(self, until: datetime):
        super().__init__(f"too many failed sign-ins: locked until {until.isoformat()}")
        self.until = until


def check_username(username: str) -> str:
    if not USERNAME.fullmatch(username):
        raise InvalidField(
            "username must be 1 to 64 characters: letters A-Z a-z, digits, '.', '_' or '-'",
            field="username",
        )
    return username


async def find_account(session: AsyncSession, username: str) -> Account | None:
    """Usernames are told apart without regard to case: `Li.Wei` signs in as `li.wei`."""
    return (
        await session.execute(
            select(Account).where(func.lower(Account.username) == username.lower())
        )
    ).scalar_one_or_none()


async def get_account(session: AsyncSession, username: str) -> Account:
    account = await find_account(session, username)
    if account is None:
        raise NotFound(f"no account '{username}'")
    return account


def _taken(username: str) -> Conflict:
    return Conflict(f"username '{username}' is taken", field="username", code="username_taken")


async def create_account(
    session: AsyncSession,
    *,
    username: str,
    name: str,
    role: str,
    password: str,
    regions: list[str] | None = None,
    enterprise_id: str | None = None,
    association_id: str | None = None,
) -> Account:
    check_username(username)
    if (char := control_character(name)) is not None:
        raise InvalidField(f"name must not contain control characters (found {char})", field="name")
    regions = await check_scope(
        session,
        role=role,
        name=name,
        regions=regions,
        enterprise_id=enterprise_id,
        association_id=association_id,
        kind="account",
    )
    passwords.check_rules(password)
    if await find_account(session, username) is not None:
        raise _taken(username)
    now = utcnow()
    account = Account(
        id=new_id("acc"),
        username=username,
        name=name.strip(),
        role=role,
        regions=regions,
        enterprise_id=enterprise_id,
        association_id=association_id,
        password_hash=await passwords.hash_password(password),
        created_at=now,
        password_changed_at=now,
    )
    session.add(account)
    try:
        await session.commit()
    except IntegrityError:  # made at the same moment under the same name
        await session.rollback()
        raise _taken(username) from None
    return account


async def list_accounts(session: AsyncSession) -> list[Account]:
    return list((await session.execute(select(Account).order_by(Account.username))).scalars())


async def _end_sessions(session: AsyncSession, account: Account) -> None:
    await session.execute(delete(WebSession).where(WebSession.account_id == account.id))


async def disable_account(session: AsyncSession, username: str) -> Account:
    """The account signs in no more and its sessions end now. Disabling twice changes nothing."""
    account = await get_account(session, username)
    if account.disabled_at is None:
        account.disabled_at = utcnow()
    await _end_sessions(session, account)
    await session.commit()
    return account


async def set_password(session: AsyncSession, username: str, password: str) -> Account:
    """A new password; every session of the account ends (signed in elsewhere: signed out)."""
    passwords.check_rules(password)
    account = await get_account(session, username)
    account.password_hash = await passwords.hash_password(password)
    account.password_changed_at = utcnow()
    await _end_sessions(session, account)
    await session.commit()
    return account


# --- signing in -----------------------------------------------------------------------------


def failure_keys(username: str, address: str) -> list[str]:
    return [f"user:{username.lower()}"[:200], f"addr:{address}"[:200]]


async def locked_until(session: AsyncSession, keys: list[str], now: datetime) -> datetime | None:
    return (
        await session.execute(
            select(func.max(SigninFailures.locked_until)).where(
                SigninFailures.key.in_(keys), SigninFailures.locked_until > now
            )
        )
    ).scalar_one()


def failure_limit(key: str) -> int:
    return MAX_ADDRESS_FAILURES if key.startswith("addr:") else MAX_FAILURES


async def count_failure(session: AsyncSession, key: str, now: datetime) -> int:
    """One more failure for the key, in one statement (an upsert), locking it at its limit's
    failure within the window (failure_limit); the failures counted so far."""
    limit = failure_limit(key)
    table = SigninFailures.__table__
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stale = table.c.first_failed_at <= literal(now - WINDOW, UTCDateTime())
    counted = case((stale, 1), else_=table.c.failures + 1)
    stmt = insert(table).values(key=key, failures=1, first_failed_at=now, locked_until=None)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "failures": counted,
            "first_failed_at": case(
                (stale, literal(now, UTCDateTime())), else_=table.c.first_failed_at
            ),
            "locked_until": case(
                (counted >= limit, literal(now + LOCK, UTCDateTime())),
                (stale, null()),
                else_=table.c.locked_until,
            ),
        },
    ).returning(table.c.failures)
    return (await session.execute(stmt)).scalar_one()


async def authenticate_password(
    session: AsyncSession, username: str, password: str, *, address: str
) -> Account:
    """The account whose password this is, or SigninRefused (the same for an unknown user, a
    wrong password and a disabled account, and as slow) or SigninLocked (429)."""
    await asyncio.to_thread(passwords.dummy_hash)  # made once, before the first answer
    now = utcnow()
    keys = failure_keys(username, address)
    until = await locked_until(session, keys, now)
    if until is not None:
        await session.rollback()
        raise SigninLocked(until)
    account = await find_account(session, username) if USERNAME.fullmatch(username) else None
    if account is not None:
        session.expunge(account)  # keeps what it holds through the rollback
    await session.rollback()  # hold no transaction (nor a connection) while the hash is checked
    password_hash = account.password_hash if account is not None else passwords.dummy_hash()
    right = await passwords.verify_password(password_hash, password)
    if account is None or not right or account.disabled_at is not None:
        counted = [await count_failure(session, key, now) for key in keys]
        await session.commit()
        await asyncio.sleep(min(SLOWDOWN * counted[0], MAX_SLOWDOWN))  # per username
        reason = (
            "unknown user"
            if account is None
            else ("wrong password" if not right else "account disabled")
        )
        raise SigninRefused(f"sign-in refused for '{username[:64]}': {reason}")
    await session.execute(delete(SigninFailures).where(SigninFailures.key == keys[0]))
    await session.execute(  # counts whose window and lock are over: kept no longer
        delete(SigninFailures).where(
            SigninFailures.first_failed_at <= now - WINDOW,
            or_(SigninFailures.locked_until.is_(None), SigninFailures.locked_until <= now),
        )
    )
    if passwords.needs_rehash(password_hash):  # made with weaker parameters than today's
        account.password_hash = await passwords.hash_password(password)
        await session.execute(
            update(Account)
            .where(Account.id == account.id)
            .values(password_hash=account.password_hash)
        )
    await session.commit()
    return account
