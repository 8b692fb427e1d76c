"""Standards over HTTP on the real dev server and PostgreSQL: the stage machine, the public comment
period, dispositions, the review ballot, refusals, and who may change what."""

import httpx

from tests.api.eventually import eventually
from tests.api.helpers import ok, seed

SECOND = 1 / 86400  # a comment period in days: the dev server's clock does not skip


async def _programme(api: httpx.AsyncClient) -> dict:
    data = await seed(api)
    case = await ok(
        await api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]}), 201
    )
    programme = await ok(
        await api.post(
            "/programmes",
            json={"industry_code": "magnetic-toys", "case_ids": [case["id"]], "title": "巴克球"},
        ),
        201,
    )
    return {**data, "programme": programme}


async def _association(api: httpx.AsyncClient, data: dict, name: str, *, linked: bool) -> str:
    """An association formed through the API; `linked` forms it for the programme."""
    body = {"name": name, "founding_enterprise_ids": [data["enterprises"][0]["id"]]}
    if linked:
        body["programme_id"] = data["programme"]["id"]
    return (await ok(await api.post("/associations", json=body), 201))["id"]


async def _standard(api: httpx.AsyncClient, programme_id: str, **fields) -> dict:
    body = {"programme_id": programme_id, "title": "磁力玩具 强磁体安全要求", "kind": "group"}
    return await ok(await api.post("/standards", json={**body, **fields}), 201)


async def _advance(client: httpx.AsyncClient, url: str, *stages: str, days: float = 30) -> dict:
    standard = {}
    for stage in stages:
        body = {"to": stage, **({"comment_period_days": days} if stage == "40.20" else {})}
        standard = await ok(await client.post(f"{url}/transitions", json=body))
        assert standard["stage_code"] == stage or (stage == "40.20" and days == 0)
    return standard


def _refused(r: httpx.Response, status: int, *fragments: str, field: str | None = None) -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["field"] == field, body
    for fragment in fragments:
        assert fragment in body["detail"], body


async def test_a_standard_goes_from_proposal_to_publication_over_http(api, client_as) -> None:
    data = await _programme(api)
    pid = data["programme"]["id"]
    asn = await _association(api, data, "金华市磁力玩具行业协会", linked=True)
    association = await client_as(role="association", association_id=asn)
    enterprise = await client_as(role="enterprise", enterprise_id=data["enterprises"][0]["id"])
    # an association drafts for itself: drafting_association_id defaults to its own
    std = await _standard(association, pid, kind="zhejiang_made", drafters=["起草人 张工"])
    assert (std["stage_code"], std["stage_name"], std["stage_name_zh"]) == (
        "00.00",
        "proposal",
        "提案",
    )
    assert std["drafting_association_id"] == asn and std["drafters"] == ["起草人 张工"]
    assert [m["kind"] for m in std["milestones"]] == ["proposed"]
    url = f"/standards/{std['id']}"
    # the programme records the standard at once; its stages before standards are waived here
    assert (await ok(await api.get(f"/programmes/{pid}")))["standard_ids"] == [std["id"]]
    for stage in ("hazard_elimination", "association_formation"):
        await ok(await api.post(f"/programmes/{pid}/waivers", json={"stage": stage, "reason": "x"}))

    await _advance(association, url, "10.99", "20.00")
    opened = await _advance(association, url, "40.20", days=3 * SECOND)
    assert opened["comment_period_ends_at"] and opened["comment_period_days"] == 3 * SECOND
    c1 = await ok(
        await enterprise.post(
            f"{url}/comments",
            json={"author": "金华市第1磁业", "text": "磁通量限值过严", "clause": "5.2"},
        ),
        201,
    )
    assert (c1["standard_id"], c1["clause"], c1["disposition"]) == (std["id"], "5.2", None)
    c2 = await ok(
        await api.post(f"{url}/comments", json={"author": "消费者", "text": "增加警示"}), 201
    )

    closed = await eventually(lambda: ok(api.get(url)), lambda s: s["stage_code"] == "40.60")
    assert closed["milestones"][-1]["kind"] == "comments_closed"
    assert closed["milestones"][-1]["actor"] == "system"
    r = await association.post(f"{url}/transitions", json={"to": "50.20"})
    _refused(r, 409, f"2 comments have no disposition: {c1['id']}, {c2['id']}")
    accepted = await ok(
        await association.post(
            f"{url}/comments/{c1['id']}/disposition",
            json={"disposition": "partially_accepted", "reason": "限值改为50 kG²mm²"},
        )
    )
    assert accepted["disposition"] == "partially_accepted"
    assert accepted["disposed_by"] == "association:association-0"
    await ok(
        await association.post(
            f"{url}/comments/{c2['id']}/disposition",
            json={"disposition": "accepted", "reason": "已增加"},
        )
    )
    await _advance(association, url, "50.20")
    votes = [("专家A", "approve"), ("专家B", "approve"), ("专家C", "approve")]
    votes += [("专家D", "disapprove"), ("专家E", "abstain")]
    tally = await ok(
        await association.post(
            f"{url}/ballot", json={"votes": [{"voter": v, "vote": x} for v, x in votes]}
        )
    )
    assert tally == {"approve": 3, "disapprove": 1, "abstain": 1, "passed": True}
    await _advance(association, url, "50.60", "60.60")

    final = await ok(await api.get(url))
    assert final["stage_code"] == "60.60" and final["published_at"]
    assert final["ballot"]["passed"] and len(final["ballot"]["votes"]) == 5
    assert [c["disposition"] for c in final["comments"]] == ["partially_accepted", "accepted"]
    kinds = [m["kind"] for m in (await ok(await api.get(f"{url}/milestones")))["items"]]
    assert kinds == [
        "proposed",
        "project_approved",
        "drafting_started",
        "public_comment_opened",
        "comment_received",
        "comment_received",
        "comments_closed",
        "comment_disposed",
        "comment_disposed",
        "review_started",
        "ballot_recorded",
        "approved",
        "published",
    ]
    # the standard reported its publication: the programme's standard stage is complete
    programme = await eventually(
        lambda: ok(api.get(f"/programmes/{pid}")), lambda p: p["stage"] == "brand_cultivation"
    )
    assert {s["name"]: s["status"] for s in programme["stages"]}["standard_drafting"] == "complete"
    r = await association.post(f"{url}/transitions", json={"to": "95.99"})
    _refused(r, 409, "60.60 published", "nothing more can change")

    listed = await ok(await api.get("/standards", params={"programme_id": pid, "stage": "60.60"}))
    assert [s["id"] for s in listed["items"]] == [std["id"]]
    assert (await ok(await api.get("/standards", params={"association_id": asn})))["items"]
    assert (await ok(await api.get("/standards", params={"kind": "group"})))["items"] == []


async def test_refusals_are_answered_as_the_contract_says(api, client_as) -> None:
    data = await _programme(api)
    pid = data["programme"]["id"]
    body = {"programme_id": pid, "title": "t", "kind": "group"}
    r = await api.post("/standards", json={**body, "programme_id": "prg_nope"})
    _refused(r, 422, "unknown programme", field="programme_id")
    r = await api.post("/standards", json={**body, "drafting_association_id": "asn_nope"})
    _refused(r, 422, "unknown association", field="drafting_association_id")
    r = await api.post("/standards", json={**body, "kind": "company"})
    _refused(r, 422, field="kind")
    elsewhere = await client_as(role="regulator", regions=["330782"])
    r = await elsewhere.post("/standards", json=body)  # the programme is not visible to it
    _refused(r, 422, field="programme_id")
    unlinked = await _association(api, data, "未关联协会", linked=False)
    association = await client_as(role="association", association_id=unlinked)
    r = await association.post("/standards", json=body)  # it drafts for itself by default
    _refused(r, 422, field="programme_id")  # an association sees only its own programmes

    key = {"Idempotency-Key": "std-once"}
    std = await ok(
        await api.post("/standards", json={**body, "drafters": ["张工"]}, headers=key), 201
    )
    again = await ok(
        await api.post("/standards", json={**body, "drafters": ["张工"]}, headers=key), 201
    )
    assert again["id"] == std["id"]
    assert len((await ok(await api.get("/standards")))["items"]) == 1
    url = f"/standards/{std['id']}"
    assert (await api.get("/standards/std_nope")).status_code == 404

    r = await api.post(f"{url}/transitions", json={"to": "20.00"})
    _refused(r, 409, "is at 00.00 proposal (提案)", "next stage is 10.99 approved project (立项)")
    assert r.json()["error"] == "invalid_transition"
    _refused(await api.post(f"{url}/transitions", json={"to": "77.77"}), 422, field="to")
    r = await api.post(f"{url}/comments", json={"author": "x", "text": "too early"})
    _refused(r, 409, "comments are taken only during 40.20")
    r = await api.post(f"{url}/ballot", json={"votes": [{"voter": "A", "vote": "approve"}]})
    _refused(r, 409, "held only in 50.20")
    await _advance(api, url, "10.99", "20.00")
    r = await api.post(f"{url}/transitions", json={"to": "40.20", "comment_period_days": -1})
    _refused(r, 422, field="comment_period_days")
    await _advance(api, url, "40.20", days=30)
    r = await api.post(f"{url}/transitions", json={"to": "40.60"})
    _refused(r, 409, "comments close by themselves at", "closing early is refused")
    comment = await ok(await api.post(f"{url}/comments", json={"author": "x", "text": "y"}), 201)
    r = await api.post(f"{url}/comments/cmt_nope/disposition", json={"disposition": "accepted"})
    _refused(r, 404, "has no comment cmt_nope")
    r = await api.post(
        f"{url}/comments/{comment['id']}/disposition", json={"disposition": "rejected"}
    )
    _refused(r, 422, "needs a reason", field="reason")
    r = await api.post(f"{url}/comments/{comment['id']}/disposition", json={"disposition": "meh"})
    _refused(r, 422, field="disposition")

    withdrawn = await ok(await api.post(f"{url}/transitions", json={"to": "95.99", "note": "合并"}))
    assert withdrawn["stage_code"] == "95.99" and withdrawn["stage_name"] == "withdrawn"
    assert (
        withdrawn["milestones"][-1]["note"] == "withdrawn at 40.20 public comment (征求意见): 合并"
    )
    r = await api.post(f"{url}/comments", json={"author": "x", "text": "late"})
    _refused(r, 409, "95.99 withdrawn", "nothing more can change")


async def test_ballot_refusals(api) -> None:
    data = await _programme(api)
    std = await _standard(api, data["programme"]["id"], drafters=["张工"])
    url = f"/standards/{std['id']}"
    await _advance(api, url, "10.99", "20.00", "40.20", days=0)
    await _advance(api, url, "50.20")

    def ballot(*votes: tuple[str, str]) -> dict:
        return {"votes": [{"voter": v, "vote": x} for v, x in votes]}

    _refused(await api.post(f"{url}/ballot", json=ballot()), 422, "at least one", field="votes")
    r = await api.post(f"{url}/ballot", json=ballot(("A", "approve"), ("张工", "approve")))
    _refused(r, 422, "drafting members do not vote", field="votes")
    r = await api.post(f"{url}/ballot", json=ballot(("A", "approve"), ("A", "disapprove")))
    _refused(r, 422, "more than once", field="votes")
    tally = await ok(
        await api.post(f"{url}/ballot", json=ballot(("A", "approve"), ("B", "disapprove")))
    )
    assert tally == {"approve": 1, "disapprove": 1, "abstain": 0, "passed": False}
    _refused(await api.post(f"{url}/transitions", json={"to": "50.60"}), 409, "did not pass")


async def test_an_association_changes_only_its_own_standards(api, client_as) -> None:
    data = await _programme(api)
    pid = data["programme"]["id"]
    mine = await _association(api, data, "协会甲", linked=True)
    theirs = await _association(api, data, "协会乙", linked=True)
    a = await client_as(role="association", association_id=mine)
    b = await client_as(role="association", association_id=theirs)
    std = await _standard(a, pid)
    assert (
        std["drafting_association_id"] == mine and std["created_by"] == "association:association-0"
    )
    url = f"/standards/{std['id']}"
    r = await b.post(
        "/standards",
        json={"programme_id": pid, "title": "t", "kind": "group", "drafting_association_id": mine},
    )
    _refused(r, 403, "an association changes only the standards it drafts")

    r = await b.post(f"{url}/transitions", json={"to": "10.99"})
    _refused(r, 403, "an association changes only the standards it drafts")
    assert (await ok(await b.get(url)))["id"] == std["id"]  # every signed-in principal reads
    assert [s["id"] for s in (await ok(await b.get("/standards")))["items"]] == [std["id"]]
    await _advance(a, url, "10.99", "20.00", "40.20")
    comment = await ok(await b.post(f"{url}/comments", json={"author": "协会乙", "text": "x"}), 201)
    r = await b.post(
        f"{url}/comments/{comment['id']}/disposition", json={"disposition": "accepted"}
    )
    assert r.status_code == 403
    r = await b.post(f"{url}/transitions", json={"to": "95.99"})
    assert r.status_code == 403

    enterprise = await client_as(role="enterprise", enterprise_id=data["enterprises"][0]["id"])
    assert (await enterprise.post(f"{url}/transitions", json={"to": "95.99"})).status_code == 403
    other_region = await client_as(role="regulator", regions=["330782"])
    r = await other_region.post(f"{url}/transitions", json={"to": "95.99"})
    _refused(r, 403, "a regulator of the programme's regions")
    regulator = await client_as(role="regulator", regions=["330702"])
    await ok(
        await regulator.post(
            f"{url}/comments/{comment['id']}/disposition", json={"disposition": "accepted"}
        )
    )
    done = await ok(await a.post(f"{url}/transitions", json={"to": "95.99"}))
    assert done["milestones"][-1]["actor"] == "association:association-0"


async def test_a_comment_period_of_zero_days_closes_at_once(api) -> None:
    data = await _programme(api)
    std = await _standard(api, data["programme"]["id"], kind="industry")
    url = f"/standards/{std['id']}"
    await _advance(api, url, "10.99", "20.00")
    closed = await ok(
        await api.post(f"{url}/transitions", json={"to": "40.20", "comment_period_days": 0})
    )
    assert closed["stage_code"] == "40.60" and closed["comment_period_days"] == 0
    assert closed["comment_period_ends_at"] == closed["milestones"][-1]["at"]
    last_two = [(m["kind"], m["actor"]) for m in closed["milestones"][-2:]]
    assert last_two == [
        ("public_comment_opened", "admin:test-admin"),
        ("comments_closed", "system"),
    ]
    r = await api.post(f"{url}/comments", json={"author": "x", "text": "y"})
    _refused(r, 409, "comments are taken only")
    page = await ok(await api.get("/standards", params={"limit": 1, "kind": "industry"}))
    assert [s["id"] for s in page["items"]] == [std["id"]] and page["next_cursor"] is None
