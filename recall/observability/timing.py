"""Where a request's time went, in a `Server-Timing` response header (RECALL_SERVER_TIMING=true):
the token check (`auth`), the Temporal command (`command`), the read-model write of what it
committed (`write`), and the whole request up to its answer (`app`). Browsers' developer tools
and the transitions bench read it. Off by default: it tells callers about the server's insides."""

import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar, Token

_phases: ContextVar[dict[str, float] | None] = ContextVar("server_timing", default=None)


def begin() -> Token:
    """Start collecting for this request (the route runs in its context); `end` with the token."""
    return _phases.set({})


def end(token: Token) -> None:
    _phases.reset(token)


@contextlib.contextmanager
def timed(name: str) -> Iterator[None]:
    """Add the block's time to `name` (a phase met twice, as a command sent again, adds up)."""
    phases = _phases.get()
    if phases is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        phases[name] = phases.get(name, 0.0) + (time.perf_counter() - started) * 1000


def header(app_ms: float) -> bytes | None:
    """The header's value: each phase met, then `app`; None when not collecting."""
    phases = _phases.get()
    if phases is None:
        return None
    parts = [f"{name};dur={ms:.2f}" for name, ms in phases.items()]
    parts.append(f"app;dur={app_ms:.2f}")
    return ", ".join(parts).encode()
