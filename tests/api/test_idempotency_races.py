"""Idempotency-Key under concurrency, through HTTP on the real stack: twenty identical POSTs with
one key act once; the ones that find the key claimed wait for the answer and replay it (or say
409 `in_progress`), never run again. Uniqueness without a key is a 409, never a 500."""

import asyncio
import hashlib
import json
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from recall import migrate
from recall.common import idempotency
from recall.common.models import IdempotencyRecord
from recall.common.types import utcnow
from recall.config import Settings
from recall.db import create_engine, create_sessionmaker
from recall.main import create_app
from tests.api.helpers import credit_code, ok, seed
from tests.conftest import make_token

N = 20


async def race(
    client: httpx.AsyncClient, path: str, body: dict, *, key: str | None, n: int = N
) -> list[httpx.Response]:
    headers = {"Idempotency-Key": key} if key else {}
    return list(
        await asyncio.gather(*(client.post(path, json=body, headers=headers) for _ in range(n)))
    )


def acted_once(responses: list[httpx.Response], status: int = 201) -> dict:
    """Every answer is the one answer (replayed), or 409 in_progress; no 5xx; returns it."""
    assert all(r.status_code < 500 for r in responses), [r.text for r in responses]
    answered = [r for r in responses if r.status_code == status]
    waited = [r for r in responses if r.status_code != status]
    assert answered, [r.text for r in responses]
    assert all(r.json() == answered[0].json() for r in answered)
    assert sum(r.headers.get("idempotent-replayed") != "true" for r in answered) <= 1
    for r in waited:
        assert r.status_code == 409 and r.json()["error"] == "in_progress", r.text
        assert int(r.headers["retry-after"]) > 0
    return answered[0].json()


async def test_one_key_creates_one_region(api: httpx.AsyncClient) -> None:
    region = acted_once(
        await race(api, "/regions", {"code": "330702", "name": "婺城区"}, key="region-1")
    )
    assert region["code"] == "330702"
    assert [r["code"] for r in (await ok(api.get("/regions")))["items"]] == ["330702"]


async def test_one_key_files_one_report_opens_one_case_and_adds_one_hazard(
    api: httpx.AsyncClient,
) -> None:
    data = await seed(api)
    body = {
        "source": "media",
        "product": "磁力片",
        "description": "外壳开裂",
        "industry_code": "magnetic-toys",
        "region_code": "330702",
    }
    report = acted_once(await race(api, "/defect-reports", body, key="report-1"))
    reports = (await ok(api.get("/defect-reports")))["items"]
    assert sorted(r["id"] for r in reports) == sorted([report["id"], data["report"]["id"]])

    opened = await race(api, "/cases", {"defect_report_ids": [report["id"]]}, key="case-1")
    case = acted_once(opened)
    assert [c["id"] for c in (await ok(api.get("/cases")))["items"]] == [case["id"]]

    url = f"/cases/{case['id']}"
    await ok(api.post(f"{url}/assessment", json={"severity": 4, "probability": "gt_1_100"}))
    hazard = {
        "enterprise_id": data["enterprises"][0]["id"],
        "category": "ingestion",
        "description": "单颗磁体过小",
    }
    added = acted_once(await race(api, f"{url}/hazards", hazard, key="hazard-1"))
    hazards = (await ok(api.get(url)))["hazards"]
    assert [h["id"] for h in hazards] == [added["id"]]
    kinds = [m["kind"] for m in (await ok(api.get(f"{url}/milestones")))["items"]]
    assert kinds.count("hazard_identified") == 1 and kinds.count("reported") == 1


async def test_one_key_makes_one_token_and_keeps_no_secret(api: httpx.AsyncClient, db) -> None:
    await ok(api.post("/regions", json={"code": "330702", "name": "婺城区"}), 201)
    body = {"role": "regulator", "name": "王监管", "regions": ["330702"]}
    responses = await race(api, "/tokens", body, key="token-1")
    assert all(r.status_code < 500 for r in responses), [r.text for r in responses]
    made = [r for r in responses if r.status_code == 201]
    assert len(made) == 1, [r.text for r in responses]
    token = made[0].json()
    for r in responses:
        if r.status_code != 201:
            assert r.status_code == 409, r.text
            error = r.json()["error"]
            assert error in ("already_answered", "in_progress"), r.text
            if error == "already_answered":
                assert token["id"] in r.json()["detail"] and "shown only once" in r.json()["detail"]
    listed = (await ok(api.get("/tokens")))["items"]
    assert [t["id"] for t in listed if t["name"] == "王监管"] == [token["id"]]

    # the stored answer has no secret in it; a later replay says it was made, and by which id
    async with db() as session:
        stored = list((await session.execute(select(IdempotencyRecord))).scalars())
    assert stored and all(token["token"] not in (s.response_body or "") for s in stored)
    again = await api.post("/tokens", json=body, headers={"Idempotency-Key": "token-1"})
    assert again.status_code == 409 and again.json()["error"] == "already_answered"
    assert token["id"] in again.json()["detail"] and token["token"] not in again.text
    # the token made works
    regulator = httpx.AsyncClient(
        transport=api._transport,
        base_url=api.base_url,
        headers={"Authorization": f"Bearer {token['token']}"},
    )
    async with regulator:
        assert (await regulator.get("/regions")).status_code == 200


async def test_the_same_key_with_another_body_stays_a_409(api: httpx.AsyncClient) -> None:
    key = {"Idempotency-Key": "same"}
    await ok(api.post("/regions", json={"code": "330702", "name": "婺城区"}, headers=key), 201)
    other = await api.post("/regions", json={"code": "330703", "name": "金东区"}, headers=key)
    assert other.status_code == 409 and other.json()["error"] == "idempotency_key_reused"


def _claim(api: httpx.AsyncClient, path: str, key: str, body: bytes, at) -> IdempotencyRecord:
    return IdempotencyRecord(
        scope_key=idempotency.scope_key_of(
            api.headers["authorization"].encode(), f"/api/v1{path}", key.encode()
        ),
        request_hash=hashlib.sha256(body).hexdigest(),
        seed="a-seed-of-a-request-that-died",
        created_at=at,
    )


async def test_a_claim_still_running_is_waited_for_then_409_in_progress(
    api: httpx.AsyncClient, db, stack, monkeypatch
) -> None:
    monkeypatch.setattr(stack["settings"], "command_timeout_seconds", 0.2)
    monkeypatch.setattr(idempotency, "WAIT_MARGIN_SECONDS", 0.3)
    body = json.dumps({"code": "330702", "name": "婺城区"}).encode()
    async with db() as session:
        session.add(_claim(api, "/regions", "running", body, utcnow()))
        await session.commit()
    headers = {"Idempotency-Key": "running", "content-type": "application/json"}
    r = await api.post("/regions", content=body, headers=headers)
    assert r.status_code == 409 and r.json()["error"] == "in_progress"
    assert r.headers["retry-after"] == str(idempotency.RETRY_AFTER_SECONDS)
    assert (await ok(api.get("/regions")))["items"] == []  # never run


async def test_a_claim_of_a_request_that_died_is_taken_over(api: httpx.AsyncClient, db) -> None:
    body = json.dumps({"code": "330702", "name": "婺城区"}).encode()
    stale = utcnow() - idempotency.LEASE - timedelta(seconds=1)
    async with db() as session:
        session.add(_claim(api, "/regions", "crashed", body, stale))
        await session.commit()
    headers = {"Idempotency-Key": "crashed", "content-type": "application/json"}
    responses = await asyncio.gather(
        *(api.post("/regions", content=body, headers=headers) for _ in range(5))
    )
    assert acted_once(list(responses))["code"] == "330702"


async def test_the_same_code_under_different_keys_is_one_201_and_409s(
    api: httpx.AsyncClient,
) -> None:
    async def each_key(path: str, body: dict, n: int = 10) -> list[httpx.Response]:
        return list(
            await asyncio.gather(
                *(
                    api.post(path, json=body, headers={"Idempotency-Key": f"{path}-{i}"})
                    for i in range(n)
                )
            )
        )

    def one_created(responses: list[httpx.Response], field: str) -> None:
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201] + [409] * (len(responses) - 1), [r.text for r in responses]
        for r in responses:
            if r.status_code == 409:
                assert r.json()["error"] == "conflict" and r.json()["field"] == field, r.text

    one_created(await each_key("/regions", {"code": "330702", "name": "婺城区"}), "code")
    one_created(await each_key("/industries", {"code": "toys", "name": "玩具"}), "code")
    enterprise = {
        "name": "金华磁业",
        "credit_code": credit_code("330702", 1),
        "region_code": "330702",
        "industry_code": "toys",
    }
    one_created(await each_key("/enterprises", enterprise), "credit_code")
    # and without any key
    one_created(
        await asyncio.gather(
            *(api.post("/regions", json={"code": "330703", "name": "金东区"}) for _ in range(10))
        ),
        "code",
    )


@pytest.fixture
async def sqlite_api(tmp_path, dev_env):
    """The app on the embedded default, SQLite (no worker: reference data and tokens only)."""
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'recall.db'}")
    engine = create_engine(settings.sqlalchemy_url)
    await migrate.upgrade(engine)
    token = await make_token(create_sessionmaker(engine), role="admin", name="sqlite-admin")
    app = create_app(settings, temporal_client=dev_env.client)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://test/api/v1",
            headers={"Authorization": f"Bearer {token}"},
        ) as client,
    ):
        yield client
    await engine.dispose()


async def test_on_sqlite_too(sqlite_api: httpx.AsyncClient) -> None:
    api = sqlite_api
    acted_once(await race(api, "/regions", {"code": "330702", "name": "婺城区"}, key="r"))
    responses = await asyncio.gather(
        *(
            api.post("/regions", json={"code": "330703", "name": "金东区"}, headers=h)
            for h in [{"Idempotency-Key": f"k{i}"} for i in range(10)]
        )
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 9
    body = {"role": "regulator", "name": "王监管", "regions": ["330702"]}
    made = await race(api, "/tokens", body, key="t")
    assert sorted(r.status_code for r in made) == [201] + [409] * (N - 1)
    listed = (await ok(api.get("/tokens")))["items"]
    assert len([t for t in listed if t["name"] == "王监管"]) == 1
