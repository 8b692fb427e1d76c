"""Dashboard figures against a known data set, public and unauthenticated."""

import httpx

from tests.api.helpers import ok, seed


async def _hazards(api, case_id: str, ents: list[str], categories: list[str]) -> list[dict]:
    made = []
    for i, category in enumerate(categories):
        made.append(
            await ok(
                await api.post(
                    f"/cases/{case_id}/hazards",
                    json={
                        "enterprise_id": ents[i % len(ents)],
                        "category": category,
                        "description": f"h{i}",
                        "identified_at": "2026-01-01T00:00:00+08:00",
                    },
                ),
                201,
            )
        )
    return made


async def test_summary_and_groupings_count_what_happened(api, stack) -> None:
    data = await seed(api)
    ents = [e["id"] for e in data["enterprises"]]
    case = await ok(
        await api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]}), 201
    )
    cid = case["id"]
    hazards = await _hazards(api, cid, ents, ["ingestion", "ingestion", "choking", "fire"])
    # eliminated in January, February (twice); one left open
    for hazard, when in zip(
        hazards[:3],
        ["2026-01-10T10:00:00+08:00", "2026-02-03T00:30:00+08:00", "2026-02-28T23:59:00+08:00"],
        strict=True,
    ):
        await ok(
            await api.post(
                f"/cases/{cid}/hazards/{hazard['id']}/elimination",
                json={"evidence": "fixed", "eliminated_at": when},
            )
        )

    public = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=stack["app"]), base_url="http://test/api/v1"
    )
    async with public:
        summary = await ok(await public.get("/dashboard/summary"))
        assert summary["hazards_eliminated"] == 3 and summary["hazards_open"] == 1
        assert summary["cases_by_stage"]["reported"] == 1
        assert summary["overdue_cases"] == 0
        assert summary["standards_published"] == {
            "group": 0,
            "industry": 0,
            "zhejiang_made": 0,
            "local": 0,
            "national": 0,
        }
        # 9.42, 33.02 and 59.0 days after they were identified on 1 January
        assert summary["median_days_to_eliminate"] == 33.02

        by_month = await ok(await public.get("/dashboard/hazards", params={"group_by": "month"}))
        months = {row["key"]: row for row in by_month}
        assert months["2026-01"]["eliminated"] == 1 and months["2026-02"]["eliminated"] == 2
        by_category = await ok(
            await public.get("/dashboard/hazards", params={"group_by": "category"})
        )
        assert {r["key"]: (r["eliminated"], r["open"]) for r in by_category} == {
            "choking": (1, 0),
            "fire": (0, 1),
            "ingestion": (2, 0),
        }
        by_region = await ok(await public.get("/dashboard/hazards", params={"group_by": "region"}))
        assert by_region == [{"key": "330702", "eliminated": 3, "open": 1}]

        window = await ok(
            await public.get(
                "/dashboard/summary", params={"from": "2026-02-01", "to": "2026-02-28"}
            )
        )
        assert window["hazards_eliminated"] == 2
        narrow = await ok(
            await public.get(
                "/dashboard/summary", params={"from": "2026-02-01", "to": "2026-02-27"}
            )
        )
        assert narrow["hazards_eliminated"] == 1
        elsewhere = await ok(await public.get("/dashboard/summary", params={"region": "330782"}))
        assert elsewhere["hazards_eliminated"] == 0 and elsewhere["hazards_open"] == 0
        other_industry = await ok(
            await public.get("/dashboard/summary", params={"industry": "vacuum-flasks"})
        )
        assert other_industry["cases_by_stage"]["reported"] == 0

        r = await public.get("/dashboard/summary", params={"from": "last tuesday"})
        assert r.status_code == 422 and r.json()["field"] == "from"
        r = await public.get("/dashboard/hazards", params={"group_by": "colour"})
        assert r.status_code == 422 and r.json()["field"] == "group_by"


async def test_the_page_under_the_api_prefix_leads_to_the_page(stack) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=stack["app"]), base_url="http://test"
    ) as public:
        r = await public.get("/api/v1/dashboard", params={"lang": "en"})
        assert r.status_code == 307 and r.headers["location"] == "/dashboard?lang=en"
        page = await public.get(r.headers["location"])
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
