"""A recall case through HTTP alone, on a real dev server and PostgreSQL."""

import uuid

import httpx

from tests.api.helpers import ok, seed


async def test_a_case_goes_from_defect_report_to_closure_over_http(api: httpx.AsyncClient) -> None:
    data = await seed(api)
    ent = data["enterprises"][0]["id"]
    case = await ok(
        await api.post(
            "/cases", json={"defect_report_ids": [data["report"]["id"]], "title": "巴克球误吞"}
        ),
        201,
    )
    assert case["stage"] == "reported" and case["number"].startswith("RC-2026-")
    assert case["industry_code"] == "magnetic-toys" and case["region_code"] == "330702"
    assert case["enterprise_ids"] == [e["id"] for e in data["enterprises"]]
    cid = case["id"]
    url = f"/cases/{cid}"

    case = await ok(
        await api.post(f"{url}/assessment", json={"severity": 4, "probability": "gt_1_100"})
    )
    assert case["stage"] == "assessed"
    assert case["risk"] == {**case["risk"], "severity": 4, "level": "serious", "overridden": False}
    hazard = await ok(
        await api.post(
            f"{url}/hazards",
            json={
                "enterprise_id": ent,
                "category": "ingestion",
                "description": "单颗磁体过小",
                "identified_at": "2026-11-02T09:00:00+08:00",
            },
        ),
        201,
    )
    assert hazard["status"] == "identified"
    case = await ok(await api.post(f"{url}/decision", json={"decision": "ordered_recall"}))
    assert case["decision"] == "ordered_recall"
    case = await ok(
        await api.post(
            f"{url}/plan",
            json={
                "units_affected": 12000,
                "remedy": "refund",
                "summary": "全额退款并销毁",
                "correction_rate_target": 0.8,
            },
        )
    )
    assert case["stage"] == "recall_planned" and case["plan"]["units_affected"] == 12000
    case = await ok(await api.post(f"{url}/plan/acceptance", json={}))
    assert case["stage"] == "remediating"

    refused = await api.post(f"{url}/verification", json={"note": "too early"})
    assert refused.status_code == 409
    body = refused.json()
    assert body["error"] == "invalid_transition" and hazard["id"] in body["detail"]
    assert "1 hazard not eliminated" in body["detail"] and body["field"] is None

    hazard = await ok(
        await api.post(
            f"{url}/hazards/{hazard['id']}/elimination",
            json={
                "evidence": "新工艺: 磁体装入封闭外壳",
                "eliminated_at": "2026-11-20T10:00:00+08:00",
            },
        )
    )
    assert hazard["status"] == "eliminated"
    assert hazard["eliminated_at"].startswith("2026-11-20T02:00:00")
    case = await ok(await api.post(f"{url}/progress-reports", json={"units_corrected": 6000}))
    assert case["correction_rate"] == 0.5
    refused = await api.post(f"{url}/verification", json={"note": "rate"})
    assert refused.status_code == 409 and "below its target" in refused.json()["detail"]
    await ok(await api.post(f"{url}/progress-reports", json={"units_corrected": 10000}))
    case = await ok(await api.post(f"{url}/verification", json={"note": "现场核查"}))
    assert case["stage"] == "verified"
    assert [h["status"] for h in case["hazards"]] == ["verified"]
    case = await ok(await api.post(f"{url}/closure", json={"summary": "召回完成"}))
    assert case["stage"] == "closed"

    # read your writes: the read right after the command shows the same
    again = await ok(await api.get(url))
    assert again["stage"] == "closed" and again["milestones"] == case["milestones"]
    kinds = [m["kind"] for m in (await ok(await api.get(f"{url}/milestones")))["items"]]
    assert kinds == [
        "reported",
        "assessed",
        "hazard_identified",
        "decided",
        "plan_submitted",
        "plan_accepted",
        "hazard_eliminated",
        "progress_reported",
        "progress_reported",
        "verified",
        "closed",
    ]
    refused = await api.post(f"{url}/assessment", json={"severity": 1, "probability": "gt_1_2"})
    assert refused.status_code == 409 and "closed" in refused.json()["detail"]

    listed = await ok(await api.get("/cases", params={"stage": "closed", "q": "巴克球"}))
    assert [c["id"] for c in listed["items"]] == [cid]
    assert (await ok(await api.get("/cases", params={"stage": "reported"})))["items"] == []
    report = (await ok(await api.get("/defect-reports")))["items"][0]
    assert report["case_id"] == cid


async def test_refusals_are_answered_as_the_contract_says(api: httpx.AsyncClient) -> None:
    data = await seed(api)
    case = await ok(
        await api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]}), 201
    )
    url = f"/cases/{case['id']}"

    r = await api.post(f"{url}/decision", json={"decision": "voluntary_recall"})
    assert r.status_code == 409 and "stage 'reported'" in r.json()["detail"]
    r = await api.post(f"{url}/assessment", json={"severity": 5, "probability": "gt_1_2"})
    assert r.status_code == 422 and r.json()["field"] == "severity"
    r = await api.post(f"{url}/assessment", json={"severity": 2, "probability": "often"})
    assert r.status_code == 422 and r.json()["field"] == "probability"
    r = await api.post(
        f"{url}/assessment", json={"severity": 2, "probability": "gt_1_2", "level_override": "low"}
    )
    assert r.status_code == 422 and r.json()["field"] == "override_reason"
    r = await api.post(
        f"{url}/assessment", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400 and r.json()["error"] == "malformed"
    r = await api.post(
        f"{url}/hazards",
        json={"enterprise_id": "ent_nope", "category": "ingestion", "description": "x"},
    )
    assert r.status_code == 422 and r.json()["field"] == "enterprise_id"
    r = await api.post(
        f"{url}/hazards",
        json={
            "enterprise_id": data["enterprises"][0]["id"],
            "category": "boredom",
            "description": "x",
        },
    )
    assert r.status_code == 422 and r.json()["field"] == "category"
    found = await ok(
        await api.post(
            f"{url}/hazards",
            json={
                "enterprise_id": data["enterprises"][0]["id"],
                "category": "ingestion",
                "description": "x",
                "identified_at": "2026-01-10T09:00:00+08:00",
            },
        ),
        201,
    )
    assert found["identified_at"].startswith("2026-01-10T01:00:00")
    r = await api.post(
        f"{url}/hazards/{found['id']}/elimination",
        json={"evidence": "x", "eliminated_at": "2026-01-05T09:00:00+08:00"},
    )
    assert r.status_code == 422 and r.json()["field"] == "eliminated_at"
    assert "before hazard" in r.json()["detail"]
    r = await api.post(
        f"{url}/hazards",
        json={
            "enterprise_id": data["enterprises"][0]["id"],
            "category": "ingestion",
            "description": "x",
            "identified_at": "2999-01-01T00:00:00+08:00",
        },
    )
    assert r.status_code == 422 and r.json()["field"] == "identified_at"
    r = await api.post(
        f"{url}/hazards/{found['id']}/elimination",
        json={"evidence": "x", "eliminated_at": "2999-01-01T00:00:00+08:00"},
    )
    assert r.status_code == 422 and r.json()["field"] == "eliminated_at"
    r = await api.post(
        "/defect-reports",
        json={
            "source": "media",
            "product": "p",
            "description": "d",
            "industry_code": "magnetic-toys",
            "region_code": "330702",
            "received_at": "2999-01-01T00:00:00+08:00",
        },
    )
    assert r.status_code == 422 and r.json()["field"] == "received_at"
    r = await api.post(f"{url}/hazards/hz_nope/elimination", json={"evidence": "x"})
    assert r.status_code == 404
    r = await api.get("/cases/case_nope")
    assert r.status_code == 404 and r.json() == {
        "error": "not_found",
        "detail": "no case case_nope",
        "field": None,
    }
    r = await api.post("/cases", json={"defect_report_ids": ["dr_nope"]})
    assert r.status_code == 422 and r.json()["field"] == "defect_report_ids"
    r = await api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]})
    assert r.status_code == 409 and case["number"] in r.json()["detail"]
    r = await api.post("/cases", json={"defect_report_ids": []})
    assert r.status_code == 422 and r.json()["field"] == "defect_report_ids"

    await ok(await api.post(f"{url}/assessment", json={"severity": 1, "probability": "gt_1_2"}))
    r = await api.post(
        f"{url}/plan", json={"units_affected": 5, "remedy": "refund", "summary": "x"}
    )
    assert r.status_code == 409 and "no recall decision" in r.json()["detail"]
    await ok(await api.post(f"{url}/decision", json={"decision": "voluntary_recall"}))
    await ok(
        await api.post(
            f"{url}/plan", json={"units_affected": 5, "remedy": "refund", "summary": "x"}
        )
    )
    await ok(await api.post(f"{url}/plan/acceptance"))
    r = await api.post(f"{url}/progress-reports", json={"units_corrected": 6})
    assert r.status_code == 422 and r.json()["field"] == "units_corrected"
    # nothing half-written: the refused commands left no milestone
    kinds = [m["kind"] for m in (await ok(await api.get(url)))["milestones"]]
    assert kinds == [
        "reported",
        "hazard_identified",
        "assessed",
        "decided",
        "plan_submitted",
        "plan_accepted",
    ]


async def test_idempotency_key_opens_one_case(api: httpx.AsyncClient) -> None:
    data = await seed(api)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"defect_report_ids": [data["report"]["id"]]}
    first = await api.post("/cases", json=body, headers=key)
    second = await api.post("/cases", json=body, headers=key)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    other = await api.post("/cases", json={**body, "title": "other"}, headers=key)
    assert other.status_code == 409 and other.json()["error"] == "idempotency_key_reused"
    assert len((await ok(await api.get("/cases")))["items"]) == 1

    url = f"/cases/{first.json()['id']}/assessment"
    key = {"Idempotency-Key": "assess-1"}
    one = await ok(await api.post(url, json={"severity": 2, "probability": "gt_1_2"}, headers=key))
    two = await ok(await api.post(url, json={"severity": 2, "probability": "gt_1_2"}, headers=key))
    assert one == two
    kinds = [m["kind"] for m in (await ok(await api.get(url.rsplit("/", 1)[0])))["milestones"]]
    assert kinds.count("assessed") == 1


async def test_pages_and_filters(api: httpx.AsyncClient) -> None:
    data = await seed(api, producers=5)
    page = await ok(await api.get("/enterprises", params={"limit": 2}))
    seen = [e["id"] for e in page["items"]]
    while page["next_cursor"]:
        page = await ok(
            await api.get("/enterprises", params={"limit": 2, "cursor": page["next_cursor"]})
        )
        seen += [e["id"] for e in page["items"]]
    assert sorted(seen) == sorted(e["id"] for e in data["enterprises"])
    r = await api.get("/enterprises", params={"limit": 501})
    assert r.status_code == 422 and r.json()["field"] == "limit"
    r = await api.get("/enterprises", params={"cursor": "garbage"})
    assert r.status_code == 422 and r.json()["field"] == "cursor"
    assert len((await ok(await api.get("/enterprises", params={"region": "330782"})))["items"]) == 0
    assert (await ok(await api.get("/defect-reports", params={"q": "肠穿孔"})))["items"]
    assert not (await ok(await api.get("/defect-reports", params={"source": "media"})))["items"]
    r = await api.get("/defect-reports", params={"source": "rumour"})
    assert r.status_code == 422 and r.json()["field"] == "source"
