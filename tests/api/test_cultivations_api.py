"""Brand cultivations (品字标培育) over HTTP on the real dev server and PostgreSQL: enrolled in a
programme, taken through their stages in order to the label, seen by their own enterprise only."""

import httpx

from tests.api.eventually import eventually
from tests.api.helpers import credit_code, ok, seed

CERT = "CZJM-2026-0001"
STEPS = ("diagnosed", "improving", "certification_applied", "certified", "labelled")


async def _programme(api: httpx.AsyncClient, data: dict) -> dict:
    case = await ok(
        await api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]}), 201
    )
    return await ok(
        await api.post(
            "/programmes",
            json={"industry_code": "magnetic-toys", "case_ids": [case["id"]], "title": "巴克球"},
        ),
        201,
    )


async def _enrol(client: httpx.AsyncClient, pid: str, ent: str, **extra) -> dict:
    body = {"programme_id": pid, "enterprise_id": ent, **extra}
    return await ok(await client.post("/brand-cultivations", json=body), 201)


async def _walk(client: httpx.AsyncClient, cid: str, steps=STEPS) -> dict:
    for to in steps:
        extra = {"certificate_no": CERT} if to == "certified" else {}
        bc = await ok(
            await client.post(f"/brand-cultivations/{cid}/transitions", json={"to": to, **extra})
        )
    return bc


def _refusal(r: httpx.Response, status: int, error: str, field: str | None) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert (body["error"], body["field"]) == (error, field), body
    return body["detail"]


async def test_an_enterprise_is_cultivated_to_the_label_and_the_programme_completes(api) -> None:
    data = await seed(api)
    ent = data["enterprises"][0]["id"]
    programme = await _programme(api, data)
    pid = programme["id"]
    for stage in ("hazard_elimination", "association_formation", "standard_drafting"):
        await ok(
            await api.post(f"/programmes/{pid}/waivers", json={"stage": stage, "reason": "试点"})
        )
    bc = await _enrol(api, pid, ent, tier="重点培育")
    assert (bc["stage"], bc["programme_id"], bc["enterprise_id"], bc["tier"]) == (
        "enrolled",
        pid,
        ent,
        "重点培育",
    )
    assert bc["id"].startswith("bc_") and bc["certificate_no"] is None
    assert bc["milestones"][0]["kind"] == "enrolled"
    assert (await ok(await api.get(f"/programmes/{pid}")))["cultivation_ids"] == [bc["id"]]

    url = f"/brand-cultivations/{bc['id']}/transitions"
    bc = await ok(await api.post(url, json={"to": "diagnosed", "note": "质量诊断"}))
    assert bc["stage"] == "diagnosed"
    bc = await _walk(api, bc["id"], STEPS[1:4])
    assert bc["stage"] == "certified" and bc["certificate_no"] == CERT
    assert bc["certified_at"] is not None
    # certified is what the programme's last stage waits for
    await eventually(lambda: ok(api.get(f"/programmes/{pid}")), lambda p: p["stage"] == "completed")
    bc = await ok(await api.post(url, json={"to": "labelled", "note": "品字码上线"}))
    assert bc["stage"] == "labelled"
    kinds = [m["kind"] for m in bc["milestones"]]
    assert [k for k in kinds if k != "linked"] == ["enrolled", *STEPS]
    labelled = bc["milestones"][-1]["note"]
    assert "four 100%" in labelled and "品字码" in labelled and labelled.endswith("品字码上线")
    assert await ok(await api.get(f"/brand-cultivations/{bc['id']}")) == bc

    detail = _refusal(await api.post(url, json={"to": "labelled"}), 409, "invalid_transition", None)
    assert "is 'labelled', the last stage" in detail
    # a labelled cultivation is no longer live: the enterprise may be enrolled again
    again = await _enrol(api, pid, ent)
    assert again["id"] != bc["id"]

    listed = await ok(await api.get("/brand-cultivations", params={"programme_id": pid}))
    assert {c["id"] for c in listed["items"]} == {bc["id"], again["id"]}
    assert "milestones" not in listed["items"][0]
    stage = await ok(await api.get("/brand-cultivations", params={"stage": "labelled"}))
    assert [c["id"] for c in stage["items"]] == [bc["id"]]
    other = await ok(
        await api.get("/brand-cultivations", params={"enterprise_id": data["enterprises"][1]["id"]})
    )
    assert other["items"] == []


async def test_every_refusal_names_its_reason(api) -> None:
    data = await seed(api)
    ent = data["enterprises"][0]["id"]
    pid = (await _programme(api, data))["id"]
    r = await api.post("/brand-cultivations", json={"programme_id": pid, "enterprise_id": "e_x"})
    assert "e_x" in _refusal(r, 422, "invalid_field", "enterprise_id")
    r = await api.post("/brand-cultivations", json={"programme_id": "prg_x", "enterprise_id": ent})
    assert "prg_x" in _refusal(r, 422, "invalid_field", "programme_id")
    r = await api.post("/brand-cultivations", json={"enterprise_id": ent})
    _refusal(r, 422, "invalid_field", "programme_id")

    bc = await _enrol(api, pid, ent)
    r = await api.post("/brand-cultivations", json={"programme_id": pid, "enterprise_id": ent})
    detail = _refusal(r, 409, "conflict", "enterprise_id")
    assert bc["id"] in detail and "enrolled" in detail

    url = f"/brand-cultivations/{bc['id']}/transitions"
    detail = _refusal(
        await api.post(url, json={"to": "improving"}), 409, "invalid_transition", None
    )
    assert f"brand cultivation {bc['id']} is in stage 'enrolled'" in detail
    assert "the next stage is 'diagnosed', not 'improving'" in detail
    _refusal(await api.post(url, json={"to": "enrolled"}), 422, "invalid_field", "to")
    await _walk(api, bc["id"], STEPS[:3])
    detail = _refusal(
        await api.post(url, json={"to": "certification_applied"}), 409, "invalid_transition", None
    )
    assert "a repeated step" in detail
    _refusal(await api.post(url, json={"to": "labelled"}), 409, "invalid_transition", None)
    detail = _refusal(
        await api.post(url, json={"to": "certified"}), 422, "invalid_field", "certificate_no"
    )
    assert "needs certificate_no" in detail
    _refusal(
        await api.post("/brand-cultivations/bc_x/transitions", json={"to": "diagnosed"}),
        404,
        "not_found",
        None,
    )
    _refusal(await api.get("/brand-cultivations/bc_x"), 404, "not_found", None)
    shown = await ok(await api.get(f"/brand-cultivations/{bc['id']}"))
    assert shown["stage"] == "certification_applied"
    assert len([m for m in shown["milestones"] if m["kind"] != "linked"]) == 4


async def test_an_enterprise_sees_only_its_own_cultivation(api, client_as) -> None:
    data = await seed(api)
    mine_ent, other_ent = (e["id"] for e in data["enterprises"])
    pid = (await _programme(api, data))["id"]
    local = await client_as(role="regulator", regions=["330702"])
    mine = await _enrol(local, pid, mine_ent)
    assert mine["created_by"].startswith("regulator:")
    other = await _enrol(api, pid, other_ent)

    enterprise = await client_as(role="enterprise", enterprise_id=mine_ent)
    seen = await ok(await enterprise.get("/brand-cultivations"))
    assert [c["id"] for c in seen["items"]] == [mine["id"]]
    assert (await ok(await enterprise.get(f"/brand-cultivations/{mine['id']}")))["id"] == mine["id"]
    _refusal(await enterprise.get(f"/brand-cultivations/{other['id']}"), 404, "not_found", None)
    filtered = await ok(
        await enterprise.get("/brand-cultivations", params={"enterprise_id": other_ent})
    )
    assert filtered["items"] == []
    # it sees its cultivation, but the regulators advance it
    r = await enterprise.post(
        f"/brand-cultivations/{mine['id']}/transitions", json={"to": "diagnosed"}
    )
    _refusal(r, 403, "forbidden", None)
    r = await enterprise.post(
        f"/brand-cultivations/{other['id']}/transitions", json={"to": "diagnosed"}
    )
    _refusal(r, 404, "not_found", None)
    moved = await ok(
        await local.post(f"/brand-cultivations/{mine['id']}/transitions", json={"to": "diagnosed"})
    )
    assert moved["milestones"][-1]["actor"].startswith("regulator:")

    elsewhere = await client_as(role="regulator", regions=["330782"])
    assert (await ok(await elsewhere.get("/brand-cultivations")))["items"] == []
    _refusal(await elsewhere.get(f"/brand-cultivations/{mine['id']}"), 404, "not_found", None)
    yiwu = await ok(
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
    r = await elsewhere.post(
        "/brand-cultivations", json={"programme_id": pid, "enterprise_id": yiwu["id"]}
    )
    _refusal(r, 422, "invalid_field", "programme_id")  # a programme it may not see

    founders = [mine_ent, other_ent]
    asn = await ok(
        await api.post(
            "/associations",
            json={"name": "协会", "founding_enterprise_ids": founders, "programme_id": pid},
        ),
        201,
    )
    association = await client_as(role="association", association_id=asn["id"])
    # DOMAIN.md: an association sees its own association and standards, not cultivations
    assert (await ok(await association.get("/brand-cultivations")))["items"] == []
    assert (await association.get(f"/brand-cultivations/{mine['id']}")).status_code == 404
    r = await association.post(
        f"/brand-cultivations/{mine['id']}/transitions", json={"to": "improving"}
    )
    _refusal(r, 404, "not_found", None)
    r = await association.post(
        "/brand-cultivations", json={"programme_id": pid, "enterprise_id": yiwu["id"]}
    )
    _refusal(r, 403, "forbidden", None)  # a member sees its programme, but does not enrol
