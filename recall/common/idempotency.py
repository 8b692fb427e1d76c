"""Idempotency-Key on every POST: the same key and body act once and return the first response;
the same key with another body is a 409.

The first request with a key claims it with one atomic INSERT ... ON CONFLICT DO NOTHING (on
PostgreSQL and SQLite alike). A request that finds the key claimed but not yet answered waits for
the answer (woken at once within this process, polling the table across processes) for up to the
command timeout and a few seconds, then replays it; if the wait runs out it answers 409
`in_progress` with Retry-After and never runs the command a second time.

A request answered 5xx, or that raised, releases its claim (its time is set to the epoch): the
next request with the key takes it over and runs with the same id seed, so ids and workflow update
ids come out the same and Temporal acts once. A claim's time (`created_at`) is renewed while its
request runs; one not renewed for LEASE belongs to a process that died, and is taken over too.

A route may keep fields of its answer out of the table (`keep_out_of_replay`): the answer is
stored without them, and a replay says that it was answered already instead of repeating it."""

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from recall.common.models import IdempotencyRecord
from recall.common.sql import insert_ignore
from recall.common.types import utcnow
from recall.errors import error_body

log = logging.getLogger("recall.idempotency")

HEADER = b"idempotency-key"
POLL_SECONDS = 0.2  # how often a waiting request looks at the table (other processes' answers)
HEARTBEAT_SECONDS = 2.0  # how often a running request renews its claim
LEASE = timedelta(seconds=10)  # a claim not renewed for this long is taken over
WAIT_MARGIN_SECONDS = 5.0  # a waiting request waits the command timeout and this much more
RETRY_AFTER_SECONDS = 5
RELEASED = datetime(1970, 1, 1, tzinfo=UTC)  # the claim time of a released claim
KEPT_OUT = "x-recall-kept-out"  # stored with a response: the fields left out of it
_STATE_KEY = "idempotency_kept_out"


def keep_out_of_replay(request: Request, *fields: str) -> None:
    """Store this route's answer without `fields` (a secret shown once): a replay of the same
    request then answers 409 `already_answered` instead of the answer."""
    request.state.idempotency_kept_out = fields


def scope_key_of(authorization: bytes, path: str, key: bytes) -> str:
    """The row of a key: per caller (its Authorization header) and path."""
    return hashlib.sha256(b"\n".join([authorization, path.encode(), key])).hexdigest()


def _error(code: str, detail: str) -> bytes:
    return json.dumps(error_body(code, detail, None)).encode()


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _respond(send: Send, status: int, body: bytes, headers: list) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@dataclass
class _Refusal:
    status: int
    body: bytes
    headers: list[tuple[bytes, bytes]]


def _refusal(status: int, code: str, detail: str, retry_after: int | None = None) -> _Refusal:
    headers = [(b"content-type", b"application/json")]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    return _Refusal(status, _error(code, detail), headers)


@dataclass
class _Waiters:
    event: asyncio.Event
    count: int = 0


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app
        self._waiters: dict[str, _Waiters] = {}  # this process's requests waiting per key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or []) if scope["type"] == "http" else {}
        key = headers.get(HEADER)
        if scope["type"] != "http" or scope["method"] != "POST" or not key:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        scope_key = scope_key_of(headers.get(b"authorization", b""), scope["path"], key)
        request_hash = hashlib.sha256(body).hexdigest()
        app_state = scope["app"].state
        sessionmaker = app_state.sessionmaker
        wait = app_state.settings.command_timeout_seconds + WAIT_MARGIN_SECONDS

        seed = await self._insert_claim(sessionmaker, scope_key, request_hash)
        if seed is None:
            outcome = await self._wait_for_answer(
                sessionmaker, scope_key, request_hash, time.monotonic() + wait
            )
            if isinstance(outcome, _Refusal):
                await _respond(send, outcome.status, outcome.body, outcome.headers)
                return
            if isinstance(outcome, IdempotencyRecord):
                await self._replay(send, outcome)
                return
            seed = outcome
        try:
            await self._run(scope, body, receive, send, sessionmaker, scope_key, seed)
        finally:
            self._notify(scope_key)

    async def _run(self, scope, body, receive, send, sessionmaker, scope_key, seed) -> None:
        """Run the request as the key's owner; remember its answer, or release the claim."""
        scope.setdefault("state", {})["idempotency_seed"] = seed
        replayed = False

        async def replay_receive() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        status, response_headers, chunks = 500, [], []

        async def capture(message: Message) -> None:
            nonlocal status, response_headers
            if message["type"] == "http.response.start":
                status, response_headers = message["status"], message.get("headers", [])
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        heartbeat = asyncio.create_task(self._heartbeat(sessionmaker, scope_key))
        try:
            await self.app(scope, replay_receive, capture)
        except BaseException:
            heartbeat.cancel()
            with contextlib.suppress(Exception):
                await self._release(sessionmaker, scope_key)
            raise
        heartbeat.cancel()
        if status >= 500:
            try:
                await self._release(sessionmaker, scope_key)
            except Exception:  # the answer is sent; the claim frees itself after LEASE
                log.exception("could not release the claim of an idempotent request")
            return
        kept = {
            k.decode(): v.decode()
            for k, v in response_headers
            if k.lower() in (b"content-type", b"location")
        }
        stored = b"".join(chunks)
        if kept_out := scope["state"].get(_STATE_KEY):
            stored = _without(stored, kept_out)
            kept[KEPT_OUT] = ",".join(kept_out)
        try:
            await self._remember(sessionmaker, scope_key, status, stored, kept)
        except Exception:  # the answer is sent; a retry after LEASE runs with the same seed
            log.exception("could not remember the answer to an idempotent request")

    # --- the claim ------------------------------------------------------------------------

    @staticmethod
    async def _insert_claim(sessionmaker, scope_key: str, request_hash: str) -> str | None:
        """Claim the key; its id seed if this request now owns it, else None."""
        seed = os.urandom(16).hex()
        async with sessionmaker() as session:
            stmt = insert_ignore(session, IdempotencyRecord, ["scope_key"])(
                [
                    {
                        "scope_key": scope_key,
                        "request_hash": request_hash,
                        "seed": seed,
                        "created_at": utcnow(),
                    }
                ]
            ).returning(IdempotencyRecord.scope_key)
            claimed = (await session.execute(stmt)).scalar_one_or_none()
            await session.commit()
        return seed if claimed is not None else None

    @staticmethod
    async def _take_over(sessionmaker, scope_key: str) -> bool:
        """Claim a released or abandoned key: one request wins (the row is updated once)."""
        now = utcnow()
        async with sessionmaker() as session:
            stmt = (
                update(IdempotencyRecord)
                .where(
                    IdempotencyRecord.scope_key == scope_key,
                    IdempotencyRecord.status_code.is_(None),
                    IdempotencyRecord.created_at < now - LEASE,
                )
                .values(created_at=now)
                .returning(IdempotencyRecord.scope_key)
            )
            won = (await session.execute(stmt)).scalar_one_or_none()
            await session.commit()
        return won is not None

    async def _wait_for_answer(
        self,
        sessionmaker,
        scope_key: str,
        request_hash: str,
        deadline: float,
    ) -> IdempotencyRecord | _Refusal | str:
        """The answered record, a refusal, or the seed if this request took the claim over."""
        while True:
            with self._listening(scope_key) as answered:
                async with sessionmaker() as session:
                    record = await session.get(IdempotencyRecord, scope_key)
                if record is None:  # removed meanwhile: claim it afresh
                    seed = await self._insert_claim(sessionmaker, scope_key, request_hash)
                    if seed is not None:
                        return seed
                    continue
                if record.request_hash != request_hash:
                    return _refusal(
                        409,
                        "idempotency_key_reused",
                        "this Idempotency-Key was used with a different request body",
                    )
                if record.status_code is not None:
                    return record
                if record.created_at < utcnow() - LEASE and await self._take_over(
                    sessionmaker, scope_key
                ):
                    return record.seed
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return _refusal(
                        409,
                        "in_progress",
                        "a request with this Idempotency-Key is still being answered; send it "
                        "again later (see Retry-After) to get its answer",
                        retry_after=RETRY_AFTER_SECONDS,
                    )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(answered.wait(), min(POLL_SECONDS, remaining))

    @contextlib.contextmanager
    def _listening(self, scope_key: str) -> Iterator[asyncio.Event]:
        """An event set when this process's owner of the key finishes (answered or released)."""
        waiters = self._waiters.setdefault(scope_key, _Waiters(asyncio.Event()))
        waiters.count += 1
        try:
            yield waiters.event
        finally:
            waiters.count -= 1
            if waiters.count == 0 and self._waiters.get(scope_key) is waiters:
                del self._waiters[scope_key]

    def _notify(self, scope_key: str) -> None:
        waiters = self._waiters.pop(scope_key, None)
        if waiters is not None:
            waiters.event.set()

    @staticmethod
    async def _heartbeat(sessionmaker, scope_key: str) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                async with sessionmaker() as session:
                    await session.execute(
                        update(IdempotencyRecord)
                        .where(
                            IdempotencyRecord.scope_key == scope_key,
                            IdempotencyRecord.status_code.is_(None),
                        )
                        .values(created_at=utcnow())
                    )
                    await session.commit()
            except Exception:
                log.warning("could not renew an idempotency claim", exc_info=True)

    @staticmethod
    async def _release(sessionmaker, scope_key: str) -> None:
        async with sessionmaker() as session:
            await session.execute(
                update(IdempotencyRecord)
                .where(
                    IdempotencyRecord.scope_key == scope_key,
                    IdempotencyRecord.status_code.is_(None),
                )
                .values(created_at=RELEASED)
            )
            await session.commit()

    @staticmethod
    async def _remember(sessionmaker, scope_key, status, body: bytes, headers: dict) -> None:
        async with sessionmaker() as session:
            await session.execute(
                update(IdempotencyRecord)
                .where(
                    IdempotencyRecord.scope_key == scope_key,
                    IdempotencyRecord.status_code.is_(None),
                )
                .values(status_code=status, response_body=body.decode(), response_headers=headers)
            )
            await session.commit()

    # --- answers --------------------------------------------------------------------------

    @staticmethod
    async def _replay(send: Send, record: IdempotencyRecord) -> None:
        stored = dict(record.response_headers or {})
        kept_out = stored.pop(KEPT_OUT, None)
        status, body = record.status_code, (record.response_body or "").encode()
        if kept_out:
            status, body = 409, _already_answered(body, kept_out)
            stored = {"content-type": "application/json"}
        headers = [(k.encode(), v.encode()) for k, v in stored.items()]
        await _respond(send, status, body, [*headers, (b"idempotent-replayed", b"true")])


def _without(body: bytes, fields: tuple[str, ...]) -> bytes:
    try:
        data = json.loads(body)
    except ValueError:
        return b""
    if not isinstance(data, dict):
        return b""
    return json.dumps({k: v for k, v in data.items() if k not in fields}).encode()


def _already_answered(stored: bytes, kept_out: str) -> bytes:
    try:
        created = json.loads(stored).get("id") if stored else None
    except (ValueError, AttributeError):
        created = None
    what = f"it created {created}" if created else "it was answered"
    return _error(
        "already_answered",
        f"this Idempotency-Key was used already and {what}; its {kept_out} is shown only once "
        "and is not kept (revoke it and make another if it was lost)",
    )
