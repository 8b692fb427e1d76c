"""The demo's data (recall.demo: the pilot's cases and one programme at every stage of the chain),
loaded through the HTTP API and waited on until the workflows have settled, so that the page and
the API can be compared figure by figure."""

import asyncio

import httpx

from recall.dashboard.views import CHAIN
from recall.demo import call, load_demo


async def _settled(http: httpx.AsyncClient) -> list[dict]:
    """Programmes move on by themselves (members signal them): wait until one stands at every
    stage of the chain and two reads of the figures agree."""
    async with asyncio.timeout(30):
        while True:
            programmes = (await call(http, "GET", "/programmes?limit=100"))["items"]
            before = await call(http, "GET", "/dashboard/summary")
            await asyncio.sleep(0.3)
            if {p["stage"] for p in programmes} >= set(CHAIN) and before == await call(
                http, "GET", "/dashboard/summary"
            ):
                return programmes
            await asyncio.sleep(0.2)


async def load_dashboard_demo(http: httpx.AsyncClient) -> dict:
    """The demo, settled; the pilot's magnet-ball case and its (completed) programme."""
    assert await load_demo(http)
    programmes = await _settled(http)
    pilot = (await call(http, "GET", "/cases?industry=magnetic-toys&stage=closed"))["items"][0]
    completed = next(p for p in programmes if p["stage"] == "completed")
    assert completed["case_ids"] == [pilot["id"]]
    return {"pilot_case": pilot, "programme": completed["id"]}
