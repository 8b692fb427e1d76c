"""An industry programme over HTTP on the real dev server and PostgreSQL."""

import httpx

from tests.api.eventually import eventually
from tests.api.helpers import ok, seed


async def _case_with_hazards(api: httpx.AsyncClient, data: dict, n: int) -> tuple[dict, list]:
    case = await ok(
        await api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]}), 201
    )
    hazards = []
    for i in range(n):
        ent = data["enterprises"][i % len(data["enterprises"])]["id"]
        hazards.append(
            await ok(
                await api.post(
                    f"/cases/{case['id']}/hazards",
                    json={"enterprise_id": ent, "category": "ingestion", "description": f"磁体{i}"},
                ),
                201,
            )
        )
    return case, hazards


def _stages(programme: dict) -> dict:
    return {s["name"]: s["status"] for s in programme["stages"]}


async def test_hazards_eliminated_open_the_next_stage_and_waivers_complete_stages(api) -> None:
    data = await seed(api)
    case, hazards = await _case_with_hazards(api, data, 2)
    programme = await ok(
        await api.post(
            "/programmes",
            json={
                "industry_code": "magnetic-toys",
                "case_ids": [case["id"]],
                "title": "巴克球产业提升",
            },
        ),
        201,
    )
    assert programme["stage"] == "hazard_elimination"
    assert _stages(programme) == {
        "hazard_elimination": "open",
        "association_formation": "pending",
        "standard_drafting": "pending",
        "brand_cultivation": "pending",
    }
    assert programme["case_ids"] == [case["id"]]
    pid = programme["id"]
    assert (await ok(await api.get(f"/cases/{case['id']}")))["programme_id"] == pid

    for hazard in hazards:
        await ok(
            await api.post(
                f"/cases/{case['id']}/hazards/{hazard['id']}/elimination",
                json={"evidence": "新工艺"},
            )
        )
    programme = await eventually(
        lambda: ok(api.get(f"/programmes/{pid}")), lambda p: p["stage"] == "association_formation"
    )
    first = programme["stages"][0]
    assert first["status"] == "complete" and first["completed_at"] >= first["opened_at"]
    assert programme["stage_since"] == programme["stages"][1]["opened_at"]

    r = await api.post(
        f"/programmes/{pid}/waivers", json={"stage": "hazard_elimination", "reason": "x"}
    )
    assert r.status_code == 409 and "already complete" in r.json()["detail"]
    r = await api.post(
        f"/programmes/{pid}/waivers", json={"stage": "association_formation", "reason": ""}
    )
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = await api.post(f"/programmes/{pid}/waivers", json={"stage": "bribery", "reason": "x"})
    assert r.status_code == 422 and r.json()["field"] == "stage"

    # waiving ahead: brand cultivation waived before it opens
    programme = await ok(
        await api.post(
            f"/programmes/{pid}/waivers",
            json={"stage": "brand_cultivation", "reason": "企业已获证"},
        )
    )
    assert _stages(programme)["brand_cultivation"] == "pending"
    programme = await ok(
        await api.post(
            f"/programmes/{pid}/waivers",
            json={"stage": "association_formation", "reason": "已有协会"},
        )
    )
    assert _stages(programme)["association_formation"] == "waived"
    assert programme["stage"] == "standard_drafting"
    programme = await ok(
        await api.post(
            f"/programmes/{pid}/waivers",
            json={"stage": "standard_drafting", "reason": "沿用国家标准"},
        )
    )
    assert programme["stage"] == "completed"
    assert all(s["status"] == "waived" for s in programme["stages"][1:])
    kinds = [m["kind"] for m in programme["milestones"]]
    assert kinds.count("stage_waiver") == 3 and kinds[-1] == "completed"
    reasons = [m["note"] for m in programme["milestones"] if m["kind"] == "stage_waiver"]
    assert "brand_cultivation: 企业已获证" in reasons


async def test_programme_refusals_and_visibility(api, client_as) -> None:
    data = await seed(api)
    case, _ = await _case_with_hazards(api, data, 1)
    r = await api.post(
        "/programmes", json={"industry_code": "toys", "case_ids": [case["id"]], "title": "x"}
    )
    assert r.status_code == 422 and r.json()["field"] == "industry_code"
    r = await api.post(
        "/programmes",
        json={"industry_code": "magnetic-toys", "case_ids": ["case_nope"], "title": "x"},
    )
    assert r.status_code == 422 and r.json()["field"] == "case_ids"
    other_region = await client_as(role="regulator", regions=["330782"])
    r = await other_region.post(
        "/programmes",
        json={"industry_code": "magnetic-toys", "case_ids": [case["id"]], "title": "x"},
    )
    assert r.status_code == 422  # the case is not visible to it: as if it did not exist
    regulator = await client_as(role="regulator", regions=["330702"])
    programme = await ok(
        await regulator.post(
            "/programmes",
            json={"industry_code": "magnetic-toys", "case_ids": [case["id"]], "title": "提升"},
        ),
        201,
    )
    r = await api.post(
        "/programmes",
        json={"industry_code": "magnetic-toys", "case_ids": [case["id"]], "title": "again"},
    )
    assert r.status_code == 409 and programme["id"] in r.json()["detail"]
    assert (await other_region.get(f"/programmes/{programme['id']}")).status_code == 404
    assert (await ok(await other_region.get("/programmes")))["items"] == []
    assert [p["id"] for p in (await ok(await regulator.get("/programmes")))["items"]] == [
        programme["id"]
    ]
    enterprise = await client_as(role="enterprise", enterprise_id=data["enterprises"][0]["id"])
    r = await enterprise.post(
        f"/programmes/{programme['id']}/waivers",
        json={"stage": "hazard_elimination", "reason": "x"},
    )
    assert r.status_code == 404
