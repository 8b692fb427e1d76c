"""The Server-Timing header (RECALL_SERVER_TIMING=true): where a request's time went; off by
default."""

import httpx

from recall.main import create_app
from tests.api.helpers import seed


def phases(response: httpx.Response) -> dict[str, float]:
    """`auth;dur=1.20, app;dur=3.40` -> {"auth": 1.2, "app": 3.4}, in the header's order."""
    parsed = {}
    for part in response.headers["server-timing"].split(","):
        name, duration = part.strip().split(";dur=")
        parsed[name] = float(duration)
    return parsed


async def test_an_answer_says_where_its_time_went_only_when_asked(api, stack) -> None:
    data = await seed(api)
    opened = await api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]})
    assert opened.status_code == 201 and "server-timing" not in opened.headers
    case_url = f"/cases/{opened.json()['id']}"

    settings = stack["settings"].model_copy(update={"server_timing": True})
    app = create_app(settings, temporal_client=stack["client"])
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t/api/v1") as anonymous,
        httpx.AsyncClient(
            transport=transport, base_url="http://t/api/v1", headers=api.headers
        ) as timed,
    ):
        assessed = await timed.post(
            f"{case_url}/assessment", json={"severity": 3, "probability": "gt_1_100"}
        )
        assert assessed.json()["stage"] == "assessed"
        spent = phases(assessed)
        assert list(spent) == ["auth", "command", "write", "app"]
        assert all(ms > 0 for ms in spent.values())
        assert spent["app"] >= spent["auth"] + spent["command"] + spent["write"]

        # a read meets no command; a refusal before the token check says only the whole
        assert list(phases(await timed.get(case_url))) == ["auth", "app"]
        assert list(phases(await anonymous.get(case_url))) == ["app"]
        refused = await timed.post(f"{case_url}/closure", json={"summary": "too early"})
        assert refused.status_code == 409
        assert list(phases(refused)) == ["auth", "command", "app"]

    # the timed app's collecting ended with each of its requests: the other app still says nothing
    after = await api.get(case_url)
    assert after.status_code == 200 and "server-timing" not in after.headers
