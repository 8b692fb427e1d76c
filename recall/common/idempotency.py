"""Idempotency-Key on every POST: the same key and body return the first response and act once;
the same key with another body is a 409. A request answered 5xx is not remembered, and its retry
reuses the same id seed, so ids and workflow update ids come out the same and Temporal acts once."""

import hashlib
import json
import os

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from recall.common.models import IdempotencyRecord
from recall.errors import error_body

HEADER = b"idempotency-key"


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _json_response(send: Send, status: int, body: bytes, headers: list) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or []) if scope["type"] == "http" else {}
        key = headers.get(HEADER)
        if scope["type"] != "http" or scope["method"] != "POST" or not key:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        caller = headers.get(b"authorization", b"")
        scope_key = hashlib.sha256(b"\n".join([caller, scope["path"].encode(), key])).hexdigest()
        request_hash = hashlib.sha256(body).hexdigest()
        sessionmaker = scope["app"].state.sessionmaker

        record = await self._claim(sessionmaker, scope_key, request_hash)
        if record.request_hash != request_hash:
            detail = "this Idempotency-Key was used with a different request body"
            payload = json.dumps(error_body("idempotency_key_reused", detail, None)).encode()
            await _json_response(send, 409, payload, [(b"content-type", b"application/json")])
            return
        if record.status_code is not None:
            stored = [(k.encode(), v.encode()) for k, v in (record.response_headers or {}).items()]
            await _json_response(
                send,
                record.status_code,
                record.response_body.encode(),
                [*stored, (b"idempotent-replayed", b"true")],
            )
            return

        scope.setdefault("state", {})["idempotency_seed"] = record.seed
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

        await self.app(scope, replay_receive, capture)
        if status < 500:
            kept = {
                k.decode(): v.decode()
                for k, v in response_headers
                if k.lower() in (b"content-type", b"location")
            }
            await self._remember(sessionmaker, scope_key, status, b"".join(chunks), kept)

    @staticmethod
    async def _claim(sessionmaker, scope_key: str, request_hash: str) -> IdempotencyRecord:  # noqa: ANN001
        async with sessionmaker() as session:
            for _ in range(3):
                record = (
                    await session.execute(
                        select(IdempotencyRecord).where(IdempotencyRecord.scope_key == scope_key)
                    )
                ).scalar_one_or_none()
                if record is not None:
                    return record
                record = IdempotencyRecord(
                    scope_key=scope_key, request_hash=request_hash, seed=os.urandom(16).hex()
                )
                session.add(record)
                try:
                    await session.commit()
                    return record
                except IntegrityError:
                    await session.rollback()
            raise RuntimeError("could not claim an idempotency key")

    @staticmethod
    async def _remember(sessionmaker, scope_key, status, body: bytes, headers: dict) -> None:  # noqa: ANN001
        async with sessionmaker() as session:
            record = await session.get(IdempotencyRecord, scope_key)
            if record is not None and record.status_code is None:
                record.status_code = status
                record.response_body = body.decode()
                record.response_headers = headers
                await session.commit()
