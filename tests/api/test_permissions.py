"""Each boundary of the permission table: 401 without or with a bad token, 403 for an act the
role may not do, 404 for what the caller may not see, and lists that show only what it may see."""

import asyncio
from datetime import timedelta

import httpx

from recall.auth import tokens
from tests.api.helpers import credit_code, ok, seed
from tests.conftest import make_token


async def _case_in(api: httpx.AsyncClient, region: str, enterprise_ids: list[str]) -> dict:
    report = await ok(
        await api.post(
            "/defect-reports",
            json={
                "source": "sampling_inspection",
                "product": f"磁力片 {region}",
                "description": "磁体脱落",
                "industry_code": "magnetic-toys",
                "region_code": region,
                "enterprise_ids": enterprise_ids,
            },
        ),
        201,
    )
    return await ok(await api.post("/cases", json={"defect_report_ids": [report["id"]]}), 201)


async def test_no_token_bad_token_revoked_and_expired_are_401(api, db, stack) -> None:
    anonymous = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=stack["app"]), base_url="http://test/api/v1"
    )
    async with anonymous:
        r = await anonymous.get("/cases")
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        assert r.json()["error"] == "unauthorized"
        r = await anonymous.post("/regions", json={"code": "x", "name": "x"})
        assert r.status_code == 401
        r = await anonymous.get("/cases", headers={"Authorization": "Bearer rct_made_up"})
        assert r.status_code == 401 and "not known" in r.json()["detail"]

        token = await make_token(db, role="admin", name="short-lived")
        bearer = {"Authorization": f"Bearer {token}"}
        assert (await anonymous.get("/cases", headers=bearer)).status_code == 200
        async with db() as session:
            await tokens.revoke_token(session, "short-lived")
        r = await anonymous.get("/cases", headers=bearer)
        assert r.status_code == 401 and "revoked" in r.json()["detail"]

        async with db() as session:
            row, expiring = await tokens.create_token(
                session, role="admin", name="expiring", expires_in=timedelta(hours=1)
            )
            assert await tokens.authenticate(session, expiring)
            later = row.expires_at + timedelta(seconds=1)
            try:
                await tokens.authenticate(session, expiring, now=later)
                raise AssertionError("an expired token was accepted")
            except Exception as err:
                assert "expired" in str(err)


async def test_a_regulator_sees_and_acts_only_in_its_regions(api, client_as) -> None:
    data = await seed(api)
    ent = data["enterprises"][0]["id"]
    wucheng = await ok(
        await api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]}), 201
    )
    yiwu_ent = await ok(
        await api.post(
            "/enterprises",
            json={
                "name": "义乌市磁力玩具厂",
                "credit_code": credit_code("330782", 9),
                "region_code": "330782",
                "industry_code": "magnetic-toys",
            },
        ),
        201,
    )
    yiwu = await _case_in(api, "330782", [yiwu_ent["id"]])

    regulator_a = await client_as(role="regulator", regions=["330702"])
    listed = await ok(await regulator_a.get("/cases"))
    assert [c["id"] for c in listed["items"]] == [wucheng["id"]]
    assert (await regulator_a.get(f"/cases/{yiwu['id']}")).status_code == 404
    r = await regulator_a.post(
        f"/cases/{yiwu['id']}/assessment", json={"severity": 2, "probability": "gt_1_2"}
    )
    assert r.status_code == 404  # not visible: answered as not found
    r = await regulator_a.post(
        f"/cases/{wucheng['id']}/assessment", json={"severity": 2, "probability": "gt_1_2"}
    )
    assert r.status_code == 200 and r.json()["milestones"][-1]["actor"].startswith("regulator:")
    # a regulator does not do the enterprise's part
    await ok(
        await regulator_a.post(
            f"/cases/{wucheng['id']}/decision", json={"decision": "voluntary_recall"}
        )
    )
    r = await regulator_a.post(
        f"/cases/{wucheng['id']}/plan",
        json={"units_affected": 10, "remedy": "refund", "summary": "x"},
    )
    assert r.status_code == 403 and "may not submit plan" in r.json()["detail"]
    # nor files reports, registers enterprises or opens cases in another region
    r = await regulator_a.post(
        "/enterprises",
        json={
            "name": "x",
            "credit_code": credit_code("330782", 11),
            "region_code": "330782",
            "industry_code": "magnetic-toys",
        },
    )
    assert r.status_code == 403
    r = await regulator_a.post("/regions", json={"code": "330703", "name": "金东区"})
    assert r.status_code == 403
    reports = await ok(await regulator_a.get("/defect-reports"))
    assert {rep["region_code"] for rep in reports["items"]} == {"330702"}
    assert (await regulator_a.get("/audit")).status_code == 403
    del ent


async def test_an_enterprise_sees_its_own_cases_and_does_only_its_part(api, client_as) -> None:
    data = await seed(api, producers=2)
    mine, other = (e["id"] for e in data["enterprises"])
    case = await ok(
        await api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]}), 201
    )
    third = await ok(
        await api.post(
            "/enterprises",
            json={
                "name": "金华市第三磁业",
                "credit_code": credit_code("330702", 30),
                "region_code": "330702",
                "industry_code": "magnetic-toys",
            },
        ),
        201,
    )
    not_mine = await _case_in(api, "330702", [third["id"]])
    url = f"/cases/{case['id']}"
    await ok(await api.post(f"{url}/assessment", json={"severity": 4, "probability": "gt_1_2"}))
    hz_mine = await ok(
        await api.post(
            f"{url}/hazards",
            json={"enterprise_id": mine, "category": "ingestion", "description": "a"},
        ),
        201,
    )
    hz_other = await ok(
        await api.post(
            f"{url}/hazards",
            json={"enterprise_id": other, "category": "ingestion", "description": "b"},
        ),
        201,
    )
    await ok(await api.post(f"{url}/decision", json={"decision": "voluntary_recall"}))

    enterprise = await client_as(role="enterprise", enterprise_id=mine)
    assert [c["id"] for c in (await ok(await enterprise.get("/cases")))["items"]] == [case["id"]]
    assert (await enterprise.get(f"/cases/{not_mine['id']}")).status_code == 404
    # a regulator's act is refused
    r = await enterprise.post(f"{url}/verification", json={"note": "x"})
    assert r.status_code == 403
    r = await enterprise.post(
        f"{url}/hazards", json={"enterprise_id": mine, "category": "fire", "description": "x"}
    )
    assert r.status_code == 403
    # its own part works
    case_now = await ok(
        await enterprise.post(
            f"{url}/plan", json={"units_affected": 100, "remedy": "replace", "summary": "更换"}
        )
    )
    assert case_now["milestones"][-1]["actor"] == "enterprise:enterprise-0"
    await ok(await api.post(f"{url}/plan/acceptance", json={}))
    await ok(
        await enterprise.post(
            f"{url}/hazards/{hz_mine['id']}/elimination", json={"evidence": "新模具"}
        )
    )
    r = await enterprise.post(
        f"{url}/hazards/{hz_other['id']}/elimination", json={"evidence": "not mine"}
    )
    assert r.status_code == 403 and "another enterprise" in r.json()["detail"]
    # it files self-reports only, always naming itself
    r = await enterprise.post(
        "/defect-reports",
        json={
            "source": "consumer_complaint",
            "product": "x",
            "description": "x",
            "industry_code": "magnetic-toys",
            "region_code": "330702",
        },
    )
    assert r.status_code == 403
    own = await ok(
        await enterprise.post(
            "/defect-reports",
            json={
                "source": "enterprise_self_report",
                "product": "磁力片",
                "description": "自查发现",
                "industry_code": "magnetic-toys",
                "region_code": "330702",
            },
        ),
        201,
    )
    assert own["enterprise_ids"] == [mine]
    seen = {r["id"] for r in (await ok(await enterprise.get("/defect-reports")))["items"]}
    assert own["id"] in seen and data["report"]["id"] in seen
    assert len(seen) == 2  # not the report about the third enterprise


async def test_an_association_sees_no_cases(api, client_as) -> None:
    data = await seed(api)
    case = await ok(
        await api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]}), 201
    )
    founders = [e["id"] for e in data["enterprises"]]
    magnets = await ok(
        await api.post(
            "/associations",
            json={"name": "金华市磁力玩具行业协会", "founding_enterprise_ids": founders},
        ),
        201,
    )
    association = await client_as(role="association", association_id=magnets["id"])
    assert (await ok(await association.get("/cases")))["items"] == []
    assert (await association.get(f"/cases/{case['id']}")).status_code == 404
    assert (await ok(await association.get("/defect-reports")))["items"] == []
    assert (await association.get("/regions")).status_code == 200


async def test_every_command_is_audited_with_actor_object_and_request_id(api, client_as) -> None:
    data = await seed(api)
    case = await ok(
        await api.post(
            "/cases",
            json={"defect_report_ids": [data["report"]["id"]]},
            headers={"X-Request-ID": "req-open-1"},
        ),
        201,
    )
    regulator = await client_as(role="regulator", regions=["330782"], name="李监管")
    r = await regulator.post(
        f"/cases/{case['id']}/assessment", json={"severity": 1, "probability": "gt_1_2"}
    )
    assert r.status_code == 404
    trail = (await ok(await api.get("/audit", params={"object": case["id"]})))["items"]
    assert [(e["action"], e["status_code"]) for e in trail] == [("assess", 404), ("open_case", 201)]
    opened = trail[1]
    assert opened["actor"] == "admin:test-admin" and opened["request_id"] == "req-open-1"
    assert opened["object_type"] == "cases"
    assert trail[0]["actor"] == "regulator:李监管"
    mine = (await ok(await api.get("/audit", params={"actor": "李监管"})))["items"]
    assert len(mine) == 1 and mine[0]["detail"] == f"no case {case['id']}"


async def test_concurrent_commands_each_leave_their_own_audit_entry(api) -> None:
    """Entries of requests that end together are written in one transaction (a group
    commit); each request's entry is there when its answer is, none lost, none twice."""
    data = await seed(api)
    case = await ok(api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]}), 201)
    bodies = [{"severity": 9, "probability": "gt_1_2"}] * 15  # refused: 422 on severity
    answers = await asyncio.gather(
        *(
            api.post(
                f"/cases/{case['id']}/assessment", json=body, headers={"X-Request-ID": f"r-{i}"}
            )
            for i, body in enumerate(bodies)
        )
    )
    assert {r.status_code for r in answers} == {422}
    trail = (await ok(api.get("/audit", params={"object": case["id"], "limit": 100})))["items"]
    refused = sorted(e["request_id"] for e in trail if e["action"] == "assess")
    assert refused == sorted(f"r-{i}" for i in range(15))


async def test_admins_manage_tokens_over_http(api, client_as, stack) -> None:
    await ok(api.post("/regions", json={"code": "330702", "name": "婺城区"}), 201)
    made = await ok(
        api.post(
            "/tokens",
            json={
                "role": "regulator",
                "name": "王监管",
                "regions": ["330702"],
                "expires_in_days": 30,
            },
        ),
        201,
    )
    assert made["token"].startswith("rct_") and made["expires_at"]
    r = await api.post("/tokens", json={"role": "regulator", "name": "x"})
    assert r.status_code == 422 and r.json()["field"] == "region"
    listed = (await ok(api.get("/tokens")))["items"]
    assert made["id"] in {t["id"] for t in listed}
    assert all("token" not in t for t in listed)  # never shown again

    regulator = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=stack["app"]),
        base_url="http://test/api/v1",
        headers={"Authorization": f"Bearer {made['token']}"},
    )
    async with regulator:
        assert (await regulator.get("/cases")).status_code == 200
        assert (await regulator.get("/tokens")).status_code == 403
        assert (
            await regulator.post("/tokens", json={"role": "admin", "name": "me"})
        ).status_code == 403
        revoked = await ok(api.post(f"/tokens/{made['id']}/revocation"))
        assert revoked["revoked_at"]
        assert (await regulator.get("/cases")).status_code == 401
    again = await ok(api.post(f"/tokens/{made['id']}/revocation"))
    assert again["revoked_at"] == revoked["revoked_at"]
    assert (await api.post("/tokens/tok_nope/revocation")).status_code == 404
