"""The demo loader against a real stack: PostgreSQL, Temporal dev server, worker and app."""

from collections import Counter

import httpx
import pytest

from recall.demo import load_demo
from tests.api.eventually import eventually

LISTS = ("/regions", "/industries", "/enterprises", "/defect-reports", "/cases")


@pytest.fixture
def http(api: httpx.AsyncClient) -> httpx.AsyncClient:
    """An admin's client on the shared stack (dev server, worker, PostgreSQL), tables emptied."""
    return api


async def items(http: httpx.AsyncClient, path: str, **params: str) -> list[dict]:
    response = await http.get(path, params={"limit": "500", **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def counts(http: httpx.AsyncClient) -> dict[str, int]:
    return {path: len(await items(http, path)) for path in LISTS}


@pytest.mark.slow
async def test_demo_tells_the_pilot_story_once(http: httpx.AsyncClient) -> None:
    assert await load_demo(http) is True
    loaded = await counts(http)
    assert await load_demo(http) is False
    assert await counts(http) == loaded

    assert len(await items(http, "/regions")) == 9
    stages = {case["stage"] for case in await items(http, "/cases")}
    assert stages >= {
        "closed", "remediating", "recall_planned", "assessed", "reported", "closed_no_recall",
        "verified",
    }  # fmt: skip
    producers = await items(http, "/enterprises", industry="magnetic-toys")
    assert len(producers) == 14
    assert 3000 < sum(p["employees"] for p in producers) < 3200

    (closed,) = await items(http, "/cases", stage="closed", industry="magnetic-toys")
    case = (await http.get(f"/cases/{closed['id']}")).json()
    done = [h for h in case["hazards"] if h["status"] in ("eliminated", "verified")]
    assert len(done) == len(case["hazards"]) == 73  # five at every producer, six at three
    found_at = Counter(h["enterprise_id"] for h in done)
    assert set(found_at) == {p["id"] for p in producers}
    assert sorted(found_at.values()) == [5] * 11 + [6] * 3
    assert case["risk"]["level"] == "serious"

    (remediating,) = await items(http, "/cases", stage="remediating")
    statuses = [
        h["status"] for h in (await http.get(f"/cases/{remediating['id']}")).json()["hazards"]
    ]
    assert "eliminated" in statuses and "identified" in statuses

    await _chain_at_every_stage(http)


async def _chain_at_every_stage(http: httpx.AsyncClient) -> None:
    """One programme at every stage of the chain (the figures: tests/test_demo_figures.py)."""

    async def stages() -> set[str]:
        return {p["stage"] for p in await items(http, "/programmes")}

    wanted = {
        "hazard_elimination",
        "association_formation",
        "standard_drafting",
        "brand_cultivation",
        "completed",
    }
    assert await eventually(stages, lambda s: s == wanted) == wanted
    in_comment = await items(http, "/standards", stage="40.20")
    assert len(in_comment) == 1
    waived = [p for p in await items(http, "/programmes") if p["stages"][0]["status"] == "waived"]
    assert len(waived) == 1 and waived[0]["stages"][0]["waiver_reason"]
