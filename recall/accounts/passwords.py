"""Passwords: the rules a new one must meet, and argon2id hashes (the library's defaults, kept in
each hash with its salt, so stronger defaults later apply at the next sign-in).

Hashing costs about 64 MiB and tens of milliseconds on purpose. It runs in a thread, never on
the event loop, and only a few at once: a burst of sign-ins waits its turn instead of taking
the server's memory."""

import asyncio
import os
import secrets
import threading
import unicodedata
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from recall.errors import InvalidField

MIN_LENGTH = 10
MAX_LENGTH = 200

_hasher = PasswordHasher()  # argon2id
_slots = threading.BoundedSemaphore(max(2, os.cpu_count() or 2))


def check_rules(password: str) -> None:
    """422 naming `password` unless it is 10 to 200 characters without a control character."""
    if len(password) < MIN_LENGTH:
        raise InvalidField(f"password must be at least {MIN_LENGTH} characters", field="password")
    if len(password) > MAX_LENGTH:
        raise InvalidField(f"password must be at most {MAX_LENGTH} characters", field="password")
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in password):
        raise InvalidField(
            "password must not contain control characters (tab, line break, ...)",
            field="password",
        )


def _hash(password: str) -> str:
    with _slots:
        return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    with _slots:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    return await asyncio.to_thread(_verify, password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than today's defaults."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@cache
def dummy_hash() -> str:
    """A hash of no one's password: an unknown user is checked against it, so that signing in
    as nobody takes as long as a wrong password."""
    return _hasher.hash(secrets.token_urlsafe(16))
