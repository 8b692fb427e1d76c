"""The demo tells the pilot's story to its published figures (DOMAIN.md): loaded through the API
on the real stack (PostgreSQL, Temporal dev server, worker), the dashboard shows 76 hazards
eliminated, 3 associations formed, 2 industry standards and 1 "Zhejiang Made" standard, and 3
"品字标" enterprises; the public reads the recall notices of the magnet-ball cases."""

import httpx
import pytest

from recall.demo import CASES, MAGNET, PRODUCERS, load_demo
from tests.api.eventually import eventually

PILOT, TILES = CASES[0][0], CASES[1][0]
ONE_AT_EVERY_STAGE = {
    "hazard_elimination": 1,
    "association_formation": 1,
    "standard_drafting": 1,
    "brand_cultivation": 1,
    "completed": 1,
}


@pytest.fixture
async def public(stack, api: httpx.AsyncClient):
    """A client with no token on the same app (after `api` has emptied the tables)."""
    transport = httpx.ASGITransport(app=stack["app"])
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api/v1") as client:
        yield client


async def _json(client: httpx.AsyncClient, path: str, **params) -> dict:
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.slow
async def test_the_demo_shows_the_pilots_figures_and_notices(
    api: httpx.AsyncClient, public: httpx.AsyncClient
) -> None:
    assert await load_demo(api) is True

    # Programmes move on when their members signal them: read once one stands at every stage.
    summary = await eventually(
        lambda: _json(public, "/dashboard/summary"),
        lambda s: s["programmes_by_stage"] == ONE_AT_EVERY_STAGE,
        timeout=30,
    )
    assert summary["hazards_eliminated"] == 76  # 消除安全隐患76个
    assert summary["associations_formed"] == 3  # 成立相关行业协会3个
    assert summary["standards_published"] == {  # 行业标准2项, "浙江制造"标准1项
        "group": 0,
        "industry": 2,
        "zhejiang_made": 1,
        "local": 0,
        "national": 0,
    }
    assert summary["brand_enterprises_certified"] == 3  # 培育"品字标"企业3家
    # and the rest of the story: the tiles' two, the flask lid and the mower guard still open
    assert summary["hazards_open"] == 4
    assert summary["overdue_cases"] == 0
    assert set(summary["cases_by_stage"].values()) == {1}
    assert summary["median_days_to_eliminate"] > 0

    magnet = await _json(public, "/dashboard/summary", industry=MAGNET)
    assert (magnet["hazards_eliminated"], magnet["hazards_open"]) == (75, 2)

    notices = (await _json(public, "/recalls", industry=MAGNET, limit=100))["items"]
    by_title = {notice["title"]: notice for notice in notices}
    assert set(by_title) == {PILOT, TILES}
    pilot, tiles = by_title[PILOT], by_title[TILES]
    assert sorted(pilot["enterprises"]) == sorted(name for name, _, _ in PRODUCERS)
    assert (pilot["decision"], pilot["remedy"], pilot["units_affected"]) == (
        "voluntary_recall",
        "refund",
        186000,
    )
    assert len(pilot["hazards"]) == 73
    assert pilot["correction_rate"] == pytest.approx(172300 / 186000)
    assert (tiles["decision"], tiles["remedy"], tiles["units_affected"]) == (
        "ordered_recall",
        "replace",
        42000,
    )
    # each is also published under its own number
    for notice in (pilot, tiles):
        assert (await _json(public, f"/recalls/{notice['number']}"))["title"] == notice["title"]
