"""Industry associations over HTTP on the real dev server and PostgreSQL: formed for a programme,
taken through their stages in order, linked when they already exist, changed only by themselves."""

import httpx

from tests.api.eventually import eventually
from tests.api.helpers import credit_code, ok, seed

REG_NO = "51330700MJ00000013"


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


async def _form(api: httpx.AsyncClient, founders: list[str], **extra) -> dict:
    body = {"name": "金华市磁力玩具行业协会", "founding_enterprise_ids": founders, **extra}
    return await ok(await api.post("/associations", json=body), 201)


def _refusal(r: httpx.Response, status: int, error: str, field: str | None) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert (body["error"], body["field"]) == (error, field), body
    return body["detail"]


async def test_an_association_is_formed_for_a_programme_and_registered(api) -> None:
    data = await seed(api)
    founders = [e["id"] for e in data["enterprises"]]
    programme = await _programme(api, data)
    pid = programme["id"]
    asn = await _form(api, founders, programme_id=pid)
    assert asn["status"] == "proposed" and asn["id"].startswith("asn_")
    assert asn["founding_enterprise_ids"] == founders and asn["region_codes"] == ["330702"]
    assert asn["programme_ids"] == [pid] and asn["registration_no"] is None
    assert asn["milestones"][0]["kind"] == "proposed"  # "linked" follows when the programme asks
    assert asn["milestones"][0]["actor"] == "admin:test-admin"
    assert (await ok(await api.get(f"/programmes/{pid}")))["association_ids"] == [asn["id"]]

    url = f"/associations/{asn['id']}/transitions"
    assert (await ok(await api.post(url, json={"to": "preparing", "note": "筹备"})))[
        "status"
    ] == "preparing"
    await ok(await api.post(url, json={"to": "charter_adopted"}))
    asn = await ok(await api.post(url, json={"to": "registered", "registration_no": REG_NO}))
    assert asn["status"] == "registered" and asn["registration_no"] == REG_NO
    assert asn["registered_at"] is not None
    kinds = [m["kind"] for m in asn["milestones"]]
    assert [k for k in kinds if k != "linked"] == [
        "proposed",
        "preparing",
        "charter_adopted",
        "registered",
    ]
    assert kinds.count("linked") == 1  # the programme asked it to report
    notes = {m["kind"]: m["note"] for m in asn["milestones"]}
    assert notes["preparing"] == "筹备" and REG_NO in notes["registered"]
    assert notes["linked"] == f"reports to programme {pid}"
    assert (await ok(await api.get(f"/associations/{asn['id']}"))) == asn

    # the association reports to its programme: once hazards are waived, formation is complete
    await ok(
        await api.post(
            f"/programmes/{pid}/waivers", json={"stage": "hazard_elimination", "reason": "试点"}
        )
    )
    programme = await eventually(
        lambda: ok(api.get(f"/programmes/{pid}")), lambda p: p["stage"] == "standard_drafting"
    )
    assert programme["stages"][1] == {**programme["stages"][1], "status": "complete"}

    listed = await ok(await api.get("/associations", params={"programme_id": pid}))
    assert [a["id"] for a in listed["items"]] == [asn["id"]]
    assert "milestones" not in listed["items"][0]
    assert (await ok(await api.get("/associations", params={"status": "proposed"})))["items"] == []
    assert (
        len((await ok(await api.get("/associations", params={"status": "registered"})))["items"])
        == 1
    )


async def test_an_existing_association_is_linked_and_reports_to_the_programme(api) -> None:
    data = await seed(api)
    founders = [e["id"] for e in data["enterprises"]]
    existing = await _form(api, founders, name="浙江省玩具行业协会")
    for to, extra in (
        ("preparing", {}),
        ("charter_adopted", {}),
        ("registered", {"registration_no": REG_NO}),
    ):
        await ok(
            await api.post(f"/associations/{existing['id']}/transitions", json={"to": to, **extra})
        )
    programme = await _programme(api, data)
    pid = programme["id"]
    await ok(
        await api.post(
            f"/programmes/{pid}/waivers", json={"stage": "hazard_elimination", "reason": "试点"}
        )
    )
    linked = await ok(
        await api.post(f"/programmes/{pid}/associations", json={"association_id": existing["id"]})
    )
    assert linked["id"] == pid and linked["association_ids"] == [existing["id"]]
    assert ("association_linked", existing["id"]) in [
        (m["kind"], m["note"]) for m in linked["milestones"]
    ]
    # the registered association reports at once: formation completes without another step
    await eventually(
        lambda: ok(api.get(f"/programmes/{pid}")), lambda p: p["stage"] == "standard_drafting"
    )
    asn = await eventually(
        lambda: ok(api.get(f"/associations/{existing['id']}")),
        lambda a: a["programme_ids"] == [pid],
    )
    assert [m["kind"] for m in asn["milestones"]][-1] == "linked"
    # linking twice changes nothing
    again = await ok(
        await api.post(f"/programmes/{pid}/associations", json={"association_id": existing["id"]})
    )
    assert again["association_ids"] == [existing["id"]]

    r = await api.post(f"/programmes/{pid}/associations", json={"association_id": "asn_nope"})
    assert "asn_nope" in _refusal(r, 422, "invalid_field", "association_id")
    r = await api.post("/programmes/prg_nope/associations", json={"association_id": existing["id"]})
    _refusal(r, 404, "not_found", None)

    page = await ok(await api.get("/associations", params={"limit": 1}))
    assert len(page["items"]) == 1 and page["next_cursor"] is None
    await _form(api, founders, name="第二协会")
    page = await ok(await api.get("/associations", params={"limit": 1}))
    assert page["items"][0]["name"] == "第二协会" and page["next_cursor"]
    rest = await ok(
        await api.get("/associations", params={"limit": 1, "cursor": page["next_cursor"]})
    )
    assert [a["id"] for a in rest["items"]] == [existing["id"]]


async def test_every_refusal_names_its_reason(api) -> None:
    data = await seed(api)
    founders = [e["id"] for e in data["enterprises"]]
    r = await api.post("/associations", json={"name": "x", "founding_enterprise_ids": ["ent_x"]})
    assert "ent_x" in _refusal(r, 422, "invalid_field", "founding_enterprise_ids")
    r = await api.post("/associations", json={"name": "x", "founding_enterprise_ids": []})
    _refusal(r, 422, "invalid_field", "founding_enterprise_ids")
    r = await api.post(
        "/associations",
        json={"name": "x", "founding_enterprise_ids": founders, "programme_id": "prg_nope"},
    )
    assert "prg_nope" in _refusal(r, 422, "invalid_field", "programme_id")
    r = await api.post("/associations", json={"founding_enterprise_ids": founders})
    _refusal(r, 422, "invalid_field", "name")

    asn = await _form(api, founders)
    url = f"/associations/{asn['id']}/transitions"
    detail = _refusal(
        await api.post(url, json={"to": "charter_adopted"}), 409, "invalid_transition", None
    )
    assert f"association {asn['id']} is in stage 'proposed'" in detail
    assert "the next stage is 'preparing', not 'charter_adopted'" in detail
    _refusal(await api.post(url, json={"to": "proposed"}), 422, "invalid_field", "to")
    await ok(await api.post(url, json={"to": "preparing"}))
    detail = _refusal(
        await api.post(url, json={"to": "preparing"}), 409, "invalid_transition", None
    )
    assert "a repeated step" in detail
    await ok(await api.post(url, json={"to": "charter_adopted"}))
    detail = _refusal(
        await api.post(url, json={"to": "registered"}), 422, "invalid_field", "registration_no"
    )
    assert "needs registration_no" in detail
    await ok(await api.post(url, json={"to": "registered", "registration_no": REG_NO}))
    detail = _refusal(
        await api.post(url, json={"to": "registered", "registration_no": "2"}),
        409,
        "invalid_transition",
        None,
    )
    assert "the last stage" in detail
    r = await api.post("/associations/asn_nope/transitions", json={"to": "preparing"})
    _refusal(r, 404, "not_found", None)
    _refusal(await api.get("/associations/asn_nope"), 404, "not_found", None)
    shown = await ok(await api.get(f"/associations/{asn['id']}"))
    assert len(shown["milestones"]) == 4  # refusals leave no trace


async def test_the_same_idempotency_key_forms_one_association(api) -> None:
    data = await seed(api)
    body = {"name": "协会", "founding_enterprise_ids": [data["enterprises"][0]["id"]]}
    headers = {"Idempotency-Key": "form-once"}
    first = await ok(await api.post("/associations", json=body, headers=headers), 201)
    second = await api.post("/associations", json=body, headers=headers)
    assert second.status_code == 201 and second.json()["id"] == first["id"]
    assert len((await ok(await api.get("/associations")))["items"]) == 1
    step = {"Idempotency-Key": "step-once"}
    url = f"/associations/{first['id']}/transitions"
    await ok(await api.post(url, json={"to": "preparing"}, headers=step))
    await ok(await api.post(url, json={"to": "preparing"}, headers=step))  # replayed, not repeated
    shown = await ok(await api.get(f"/associations/{first['id']}"))
    assert [m["kind"] for m in shown["milestones"]] == ["proposed", "preparing"]


async def test_an_association_changes_only_itself_and_everyone_reads(api, client_as) -> None:
    data = await seed(api)
    founders = [e["id"] for e in data["enterprises"]]
    mine = await _form(api, founders, name="甲协会")
    other = await _form(api, founders, name="乙协会")
    me = await client_as(role="association", association_id=mine["id"])

    moved = await ok(
        await me.post(f"/associations/{mine['id']}/transitions", json={"to": "preparing"})
    )
    assert moved["milestones"][-1]["actor"].startswith("association:")
    r = await me.post(f"/associations/{other['id']}/transitions", json={"to": "preparing"})
    assert "only its own association" in _refusal(r, 403, "forbidden", None)
    assert (await ok(await api.get(f"/associations/{other['id']}")))["status"] == "proposed"
    # every signed-in principal reads every association
    assert (await ok(await me.get(f"/associations/{other['id']}")))["name"] == "乙协会"
    assert len((await ok(await me.get("/associations")))["items"]) == 2
    # forming one is for regulators of the founders' regions (and admins)
    r = await me.post("/associations", json={"name": "x", "founding_enterprise_ids": founders})
    _refusal(r, 403, "forbidden", None)

    enterprise = await client_as(role="enterprise", enterprise_id=founders[0])
    assert len((await ok(await enterprise.get("/associations")))["items"]) == 2
    r = await enterprise.post(
        f"/associations/{mine['id']}/transitions", json={"to": "charter_adopted"}
    )
    _refusal(r, 403, "forbidden", None)

    elsewhere = await client_as(role="regulator", regions=["330782"])
    r = await elsewhere.post(
        f"/associations/{mine['id']}/transitions", json={"to": "charter_adopted"}
    )
    _refusal(r, 403, "forbidden", None)
    r = await elsewhere.post(
        "/associations", json={"name": "x", "founding_enterprise_ids": founders}
    )
    _refusal(r, 403, "forbidden", None)
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
    formed = await ok(
        await elsewhere.post(
            "/associations", json={"name": "义乌协会", "founding_enterprise_ids": [yiwu["id"]]}
        ),
        201,
    )
    assert formed["region_codes"] == ["330782"] and formed["created_by"].startswith("regulator:")

    local = await client_as(role="regulator", regions=["330702"])
    await ok(
        await local.post(f"/associations/{mine['id']}/transitions", json={"to": "charter_adopted"})
    )
    # linking to a programme: it must be visible, and the caller must run it
    programme = await _programme(api, data)
    r = await elsewhere.post(
        f"/programmes/{programme['id']}/associations", json={"association_id": formed["id"]}
    )
    _refusal(r, 404, "not_found", None)
    r = await elsewhere.post(
        "/associations",
        json={
            "name": "y",
            "founding_enterprise_ids": [yiwu["id"]],
            "programme_id": programme["id"],
        },
    )
    _refusal(r, 422, "invalid_field", "programme_id")
    await ok(
        await local.post(
            f"/programmes/{programme['id']}/associations", json={"association_id": mine["id"]}
        )
    )
    r = await me.post(
        f"/programmes/{programme['id']}/associations", json={"association_id": mine["id"]}
    )
    _refusal(r, 403, "forbidden", None)  # a member sees its programme, but does not run it
