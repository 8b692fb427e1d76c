"""The case's acts off the straight path, over HTTP on the dev server and PostgreSQL, for each
role: a plan returned, a hazard reopened, a hazard's enterprise joining the case, the evidence
of an elimination (words and files), and the calendar a case carries from its opening."""

import json
from datetime import date, datetime, timedelta, timezone

import httpx

from recall.cases.calendar import case_deadlines
from tests.api.helpers import ok, seed
from workflows.shared import Deadlines, case_workflow_id

REGION, OTHER_REGION = "330702", "330782"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
CST = timezone(timedelta(hours=8))


async def _case(api: httpx.AsyncClient, enterprise_ids: list[str], product: str = "磁力珠") -> dict:
    report = await ok(
        api.post(
            "/defect-reports",
            json={
                "source": "media",
                "product": product,
                "description": "磁珠脱落",
                "industry_code": "magnetic-toys",
                "region_code": REGION,
                "enterprise_ids": enterprise_ids,
            },
        ),
        201,
    )
    return await ok(api.post("/cases", json={"defect_report_ids": [report["id"]]}), 201)


async def _hazard(client: httpx.AsyncClient, url: str, enterprise_id: str) -> dict:
    body = {"enterprise_id": enterprise_id, "category": "ingestion", "description": "磁珠过小"}
    return await ok(client.post(f"{url}/hazards", json=body), 201)


async def _decided(api: httpx.AsyncClient, url: str) -> None:
    await ok(api.post(f"{url}/assessment", json={"severity": 4, "probability": "gt_1_2"}))
    await ok(api.post(f"{url}/decision", json={"decision": "ordered_recall"}))


PLAN = {"units_affected": 500, "remedy": "refund", "summary": "退货退款"}


async def _remediating(api: httpx.AsyncClient, url: str) -> None:
    await _decided(api, url)
    await ok(api.post(f"{url}/plan", json=PLAN))
    await ok(api.post(f"{url}/plan/acceptance", json={}))


def _kinds(case: dict) -> list[str]:
    return [m["kind"] for m in case["milestones"]]


async def _upload(client: httpx.AsyncClient, name: str) -> dict:
    return await ok(client.post("/files", files={"file": (name, PNG, "image/png")}), 201)


# --- a plan returned ----------------------------------------------------------------------------


async def test_a_regulator_returns_a_plan_and_the_enterprise_submits_again(api, client_as) -> None:
    data = await seed(api)
    ent = data["enterprises"][0]["id"]
    case = await ok(api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]}), 201)
    url = f"/cases/{case['id']}"
    regulator = await client_as(role="regulator", regions=[REGION])
    elsewhere = await client_as(role="regulator", regions=[OTHER_REGION])
    enterprise = await client_as(role="enterprise", enterprise_id=ent)
    await _decided(api, url)

    r = await regulator.post(f"{url}/plan/return", json={"reason": "x"})
    assert r.status_code == 409 and "no plan awaiting acceptance" in r.json()["detail"]
    await ok(enterprise.post(f"{url}/plan", json=PLAN))
    r = await enterprise.post(f"{url}/plan/return", json={"reason": "x"})
    assert r.status_code == 403
    r = await elsewhere.post(f"{url}/plan/return", json={"reason": "x"})
    assert r.status_code == 404
    for body in ({}, {"reason": " \n "}, {"reason": "改" * 1001}, {"reason": "a\x00"}):
        r = await regulator.post(f"{url}/plan/return", json=body)
        assert r.status_code == 422 and r.json()["field"] == "reason", (body, r.text)

    case = await ok(regulator.post(f"{url}/plan/return", json={"reason": "缺少批次和生产日期"}))
    assert case["stage"] == "assessed" and case["decision"] == "ordered_recall"
    assert case["plan"]["return_reason"] == "缺少批次和生产日期"
    assert case["plan"]["summary"] == "退货退款" and case["plan"]["returned_at"]
    returned = case["milestones"][-1]
    assert (returned["kind"], returned["note"]) == ("plan_returned", "缺少批次和生产日期")
    assert returned["actor"].startswith("regulator:")
    # due again: 10 working days from the return, on the calendar the case opened with
    calendar = case_deadlines(Deadlines(), datetime.fromisoformat(case["created_at"]))
    due = calendar.working_days_after(datetime.fromisoformat(returned["at"]), 10)
    [deadline] = case["deadlines"]
    assert deadline["kind"] == "plan" and deadline["overdue"] is False
    assert datetime.fromisoformat(deadline["due_at"]) == due
    assert (await ok(api.get(url)))["deadlines"] == case["deadlines"]  # read again: the same

    r = await regulator.post(f"{url}/plan/acceptance", json={})
    assert r.status_code == 409
    r = await regulator.post(f"{url}/plan/return", json={"reason": "again"})
    assert r.status_code == 409 and "no plan awaiting acceptance" in r.json()["detail"]

    case = await ok(enterprise.post(f"{url}/plan", json={**PLAN, "summary": "退款，附批次表"}))
    assert case["stage"] == "recall_planned" and case["plan"]["return_reason"] is None
    assert case["plan"]["summary"] == "退款，附批次表" and case["deadlines"] == []
    case = await ok(regulator.post(f"{url}/plan/acceptance", json={}))
    assert case["stage"] == "remediating"
    assert [d["kind"] for d in case["deadlines"]] == ["progress_report"]
    assert _kinds(case)[-4:] == [
        "plan_submitted",
        "plan_returned",
        "plan_submitted",
        "plan_accepted",
    ]


# --- a hazard reopened --------------------------------------------------------------------------


async def _open_hazards(api: httpx.AsyncClient) -> tuple[int, int]:
    summary = await ok(api.get("/dashboard/summary", params={"region": REGION}))
    return summary["hazards_open"], summary["hazards_eliminated"]


async def test_a_regulator_reopens_an_eliminated_hazard(api, client_as) -> None:
    data = await seed(api)
    ent = data["enterprises"][0]["id"]
    case = await ok(api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]}), 201)
    url = f"/cases/{case['id']}"
    regulator = await client_as(role="regulator", regions=[REGION])
    enterprise = await client_as(role="enterprise", enterprise_id=ent)
    await _remediating(api, url)
    hazard = await _hazard(regulator, url, ent)
    hz = f"{url}/hazards/{hazard['id']}"

    r = await regulator.post(f"{hz}/reopening", json={"reason": "x"})
    assert r.status_code == 409 and "only an eliminated hazard" in r.json()["detail"]
    await ok(enterprise.post(f"{hz}/elimination", json={"evidence": "改用大磁珠"}))
    assert await _open_hazards(api) == (0, 1)
    r = await enterprise.post(f"{hz}/reopening", json={"reason": "x"})
    assert r.status_code == 403
    r = await regulator.post(f"{url}/hazards/hz_nope/reopening", json={"reason": "x"})
    assert r.status_code == 404
    r = await regulator.post(f"{hz}/reopening", json={"reason": ""})
    assert r.status_code == 422 and r.json()["field"] == "reason"

    reopened = await ok(regulator.post(f"{hz}/reopening", json={"reason": "抽检仍有小磁珠"}))
    assert (reopened["status"], reopened["eliminated_at"]) == ("reopened", None)
    assert reopened["evidence"] == "改用大磁珠"  # the last elimination's, until the next
    assert await _open_hazards(api) == (1, 0)  # open again on the dashboard
    r = await regulator.post(f"{url}/verification", json={"note": "x"})
    assert r.status_code == 409 and hazard["id"] in r.json()["detail"]
    r = await regulator.post(f"{hz}/reopening", json={"reason": "again"})
    assert r.status_code == 409

    again = await ok(enterprise.post(f"{hz}/elimination", json={"evidence": "新模具"}))
    assert again["status"] == "eliminated" and again["evidence"] == "新模具"
    case = await ok(regulator.post(f"{url}/verification", json={"note": "现场核查"}))
    assert case["stage"] == "verified"
    assert [d["kind"] for d in case["deadlines"]] == ["summary_report"]

    # a verified case goes back to remediating
    await ok(regulator.post(f"{hz}/reopening", json={"reason": "回访发现"}))
    case = await ok(api.get(url))
    assert case["stage"] == "remediating" and case["hazards"][0]["status"] == "reopened"
    assert case["milestones"][-1]["note"] == f"{hazard['id']}: 回访发现 (verified -> remediating)"
    assert [d["kind"] for d in case["deadlines"]] == ["progress_report"]
    await ok(enterprise.post(f"{hz}/elimination", json={"evidence": "全部召回"}))
    await ok(regulator.post(f"{url}/verification", json={"note": "复查"}))
    await ok(regulator.post(f"{url}/closure", json={"summary": "完成"}))
    r = await regulator.post(f"{hz}/reopening", json={"reason": "太晚"})
    assert r.status_code == 409 and "closed" in r.json()["detail"]
    assert _kinds(await ok(api.get(url))).count("hazard_reopened") == 2


# --- a hazard's enterprise joins the case -------------------------------------------------------


async def test_a_hazards_enterprise_becomes_one_of_the_cases_for_every_role(api, client_as) -> None:
    data = await seed(api, producers=3)
    a, b, c = (e["id"] for e in data["enterprises"])
    case = await _case(api, [])  # a lead that names no enterprise
    url = f"/cases/{case['id']}"
    assert case["enterprise_ids"] == []
    regulator = await client_as(role="regulator", regions=[REGION])
    ent_a = await client_as(role="enterprise", enterprise_id=a)
    ent_b = await client_as(role="enterprise", enterprise_id=b)
    assert (await ent_a.get(url)).status_code == 404

    hz_a = await _hazard(regulator, url, a)
    case = await ok(ent_a.get(url))  # the enterprise sees its case now
    assert case["enterprise_ids"] == [a]
    assert [x["id"] for x in (await ok(ent_a.get("/cases")))["items"]] == [case["id"]]
    assert (await ent_b.get(url)).status_code == 404
    # eliminating is the enterprise's act (DOMAIN.md): a regulator verifies, it does not record
    r = await regulator.post(f"{url}/hazards/{hz_a['id']}/elimination", json={"evidence": "x"})
    assert r.status_code == 403
    done = await ok(
        ent_a.post(f"{url}/hazards/{hz_a['id']}/elimination", json={"evidence": "封装"})
    )
    assert done["status"] == "eliminated"

    hz_b = await _hazard(api, url, b)  # an admin adds a second enterprise's hazard
    assert (await ok(api.get(url)))["enterprise_ids"] == [a, b]
    r = await ent_b.post(f"{url}/hazards/{hz_a['id']}/elimination", json={"evidence": "x"})
    assert r.status_code == 403  # not its hazard
    r = await ent_a.post(f"{url}/hazards/{hz_b['id']}/elimination", json={"evidence": "x"})
    assert r.status_code == 403 and "another enterprise" in r.json()["detail"]
    await ok(ent_b.post(f"{url}/hazards/{hz_b['id']}/elimination", json={"evidence": "封装"}))

    # a case whose report named one enterprise takes a hazard of another, which joins it
    named = await _case(api, [a], product="磁力片")
    named_url = f"/cases/{named['id']}"
    await _hazard(regulator, named_url, c)
    assert (await ok(api.get(named_url)))["enterprise_ids"] == [a, c]
    ent_c = await client_as(role="enterprise", enterprise_id=c)
    assert [x["id"] for x in (await ok(ent_c.get("/cases")))["items"]] == [named["id"]]


# --- the evidence of an elimination -------------------------------------------------------------


async def test_elimination_evidence_must_say_something(api, client_as) -> None:
    data = await seed(api)
    ent = data["enterprises"][0]["id"]
    case = await ok(api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]}), 201)
    url = f"/cases/{case['id']}"
    hazard = await _hazard(api, url, ent)
    enterprise = await client_as(role="enterprise", enterprise_id=ent)
    for body in ({}, {"evidence": ""}, {"evidence": "  \n\t "}, {"evidence": "\u3000\u3000"}):
        r = await enterprise.post(f"{url}/hazards/{hazard['id']}/elimination", json=body)
        assert r.status_code == 422 and r.json()["field"] == "evidence", (body, r.text)
    case = await ok(api.get(url))
    assert case["hazards"][0]["status"] == "identified"
    assert _kinds(case) == ["reported", "hazard_identified"]  # nothing half written


async def test_evidence_files_are_checked_kept_and_shown(api, client_as) -> None:
    data = await seed(api)
    ent = data["enterprises"][0]["id"]
    case = await ok(api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]}), 201)
    url = f"/cases/{case['id']}"
    await _remediating(api, url)
    hazard = await _hazard(api, url, ent)
    hz = f"{url}/hazards/{hazard['id']}"
    enterprise = await client_as(role="enterprise", enterprise_id=ent)
    regulator = await client_as(role="regulator", regions=[REGION])
    photo = await _upload(enterprise, "整改照片.png")
    report = await _upload(enterprise, "检测报告.png")
    not_mine = await _upload(api, "admin.png")

    for ids in ([not_mine["id"]], ["file_nope"], [photo["id"]] * 2, [f"f{i}" for i in range(11)]):
        body = {"evidence": "封装", "evidence_file_ids": ids}
        r = await enterprise.post(f"{hz}/elimination", json=body)
        assert r.status_code == 422 and r.json()["field"] == "evidence_file_ids", (ids, r.text)
    assert (await ok(api.get(url)))["hazards"][0]["status"] == "identified"
    assert (await regulator.get(f"/files/{photo['id']}")).status_code == 404  # not cited yet

    done = await ok(
        enterprise.post(
            f"{hz}/elimination", json={"evidence": "封装", "evidence_file_ids": [photo["id"]]}
        )
    )
    assert done["evidence"] == "封装" and done["evidence_file_ids"] == [photo["id"]]
    assert done["evidence_files"] == [photo]  # id, name, content_type, size, sha256
    assert set(photo) == {"id", "name", "content_type", "size", "sha256"}
    served = await regulator.get(f"/files/{photo['id']}")  # the case holds it now
    assert served.status_code == 200 and served.content == PNG

    case = await ok(
        enterprise.post(
            f"{url}/progress-reports",
            json={"units_corrected": 100, "evidence_file_ids": [report["id"]]},
        )
    )
    assert report["id"] in case["milestones"][-1]["note"]
    assert {f["id"] for f in case["files"]} == {photo["id"], report["id"]}
    assert case["hazards"][0]["evidence_files"] == [photo]
    assert (await regulator.get(f"/files/{report['id']}")).status_code == 200
    r = await enterprise.post(
        f"{url}/progress-reports", json={"units_corrected": 200, "evidence_file_ids": ["nope"]}
    )
    assert r.status_code == 422 and r.json()["field"] == "evidence_file_ids"
    assert (await ok(api.get(url)))["units_corrected"] == 100


# --- the calendar a case carries ----------------------------------------------------------------


async def test_a_case_carries_the_working_day_calendar_from_its_opening(api, stack) -> None:
    """The API gives the workflow the dates it needs (here configured ones, as the official
    calendar's years are over by now), from the opening day on and no further than the span."""
    gateway = stack["app"].state.workflows
    configured = gateway.case_deadlines
    today = datetime.now(CST).date()
    off = [today + timedelta(days=n) for n in range(1, 8)]  # a week of holidays from tomorrow
    far, past = date(today.year + 5, 5, 4), today - timedelta(days=3)
    gateway.case_deadlines = Deadlines(holidays=[past, *off, far])
    try:
        data = await seed(api)
        case = await ok(api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]}), 201)
    finally:
        gateway.case_deadlines = configured
    history = (
        await stack["client"].get_workflow_handle(case_workflow_id(case["id"])).fetch_history()
    )
    started = history.events[0].workflow_execution_started_event_attributes
    carried = json.loads(started.input.payloads[0].data)["deadlines"]
    assert carried["holidays"] == [d.isoformat() for d in off if d.weekday() < 5]

    url = f"/cases/{case['id']}"
    await _decided(api, url)
    case = await ok(api.get(url))
    decided_at = datetime.fromisoformat(case["milestones"][-1]["at"])
    [deadline] = case["deadlines"]
    with_holidays = Deadlines(holidays=off).working_days_after(decided_at, 10)
    assert datetime.fromisoformat(deadline["due_at"]) == with_holidays
    assert with_holidays > Deadlines().working_days_after(decided_at, 10)
