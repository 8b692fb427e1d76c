"""Waiting for what another workflow does in its own time (a signal between workflows)."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    read: Callable[[], Awaitable[T]], ok: Callable[[T], bool], timeout: float = 15
) -> T:
    """Read until ok(value) holds; fail with the last value read after `timeout` seconds."""
    value = await read()
    try:
        async with asyncio.timeout(timeout):
            while not ok(value):
                await asyncio.sleep(0.05)
                value = await read()
    except TimeoutError:
        raise AssertionError(f"still not there after {timeout:g} s: {value!r}") from None
    return value
