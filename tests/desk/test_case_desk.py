"""The workbench over HTTP as a browser sends it (forms, cookies, redirects), on PostgreSQL and the
Temporal dev server: a regulator opens a case from two reports and works it; what the page offers
each person is what the API lets them do; refusals come back beside the form with the input kept;
a form without its CSRF token, or sent twice, changes nothing more."""

import re

import pytest

from tests.api.helpers import ok, seed
from tests.desk.people import acts, form, make_people, send, sign_in

pytestmark = pytest.mark.slow


@pytest.fixture
async def world(api, stack, db):
    seeded = await seed(api)
    second = await ok(
        api.post(
            "/defect-reports",
            json={
                "source": "consumer_complaint",
                "product": "磁力珠 magnetic beads",
                "description": "两名儿童吞食磁珠",
                "industry_code": "magnetic-toys",
                "region_code": "330702",
                "enterprise_ids": [seeded["enterprises"][0]["id"]],
            },
        ),
        201,
    )
    await make_people(db, seeded["enterprises"])
    clients = []

    async def person(username: str):
        client = await sign_in(stack["app"], username)
        clients.append(client)
        return client

    yield {"api": api, "reports": [seeded["report"]["id"], second["id"]], "person": person,
           "enterprises": [e["id"] for e in seeded["enterprises"]]}  # fmt: skip
    for client in clients:
        await client.aclose()


async def open_case(client, reports) -> str:
    page = (await client.get("/desk/reports")).text
    for report in reports:
        assert f'data-report="{report}"' in page
    answer = await send(client, page, "open_case", defect_report_ids=reports)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"].split("/desk/cases/")[1].split("?")[0]


async def test_a_page_needs_a_person_signed_in(stack) -> None:
    import httpx

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=stack["app"]), base_url="http://test"
    ) as anonymous:
        for path in ("/desk", "/desk/reports", "/desk/cases/case_x"):
            answer = await anonymous.get(path)
            assert answer.status_code == 303
            assert answer.headers["location"].startswith("/login?next=")


async def test_a_regulator_opens_a_case_from_two_reports_and_assesses_it(world) -> None:
    wang = await world["person"]("wang")
    case_id = await open_case(wang, world["reports"])
    case = await ok(world["api"].get(f"/cases/{case_id}"))
    assert case["stage"] == "reported" and sorted(case["defect_report_ids"]) == sorted(
        world["reports"]
    )
    page = (await wang.get(f"/desk/cases/{case_id}")).text
    assert acts(page) >= {"assess", "add_hazard"} and "submit_plan" not in acts(page)
    # the reports are in a case now: no longer to triage
    assert world["reports"][0] not in (await wang.get("/desk/reports")).text

    refused = await send(wang, page, "assess", probability="gt_1_100")  # severity missing
    assert refused.status_code == 422
    error = re.search(r'<p class="error"[^>]*data-error[^>]*>', refused.text)
    assert error and 'data-field="severity"' in error.group(0)
    assert 'value="gt_1_100" selected' in refused.text  # the input is kept

    answer = await send(wang, refused.text, "assess", severity="4", probability="gt_1_100")
    assert answer.status_code == 303
    case = await ok(world["api"].get(f"/cases/{case_id}"))
    assert case["stage"] == "assessed" and case["risk"]["level"] == "serious"


async def test_a_form_without_its_csrf_token_changes_nothing(world) -> None:
    wang = await world["person"]("wang")
    page = (await wang.get("/desk/reports")).text
    f = form(page, "open_case")
    for token in (None, "forged-token-forged-token-forged-token"):
        body = {**f.fields, "defect_report_ids": world["reports"]}
        body.pop("csrf_token")
        if token:
            body["csrf_token"] = token
        answer = await wang.post(f.action, data=body)
        assert answer.status_code == 403
    cases = await ok(world["api"].get("/cases"))
    assert cases["items"] == []


async def test_the_same_form_sent_twice_acts_once(world) -> None:
    wang = await world["person"]("wang")
    page = (await wang.get("/desk/reports")).text
    first = await send(wang, page, "open_case", defect_report_ids=world["reports"])
    again = await send(wang, page, "open_case", defect_report_ids=world["reports"])
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert len((await ok(world["api"].get("/cases")))["items"]) == 1

    case_page = (await wang.get(first.headers["location"])).text
    await send(wang, case_page, "add_hazard", enterprise_id=world["enterprises"][0],
               category="ingestion", description="磁珠过小")  # fmt: skip
    await send(wang, case_page, "add_hazard", enterprise_id=world["enterprises"][0],
               category="ingestion", description="磁珠过小")  # fmt: skip
    case_id = first.headers["location"].split("/desk/cases/")[1]
    assert len((await ok(world["api"].get(f"/cases/{case_id}")))["hazards"]) == 1


async def test_each_person_sees_and_may_do_what_the_api_allows(world) -> None:
    wang = await world["person"]("wang")
    case_id = await open_case(wang, world["reports"])
    page = (await wang.get(f"/desk/cases/{case_id}")).text
    await send(wang, page, "assess", severity="3", probability="gt_1_10")
    page = (await wang.get(f"/desk/cases/{case_id}")).text
    await send(wang, page, "decide", decision="voluntary_recall")

    li = await world["person"]("li")  # a regulator of another region
    assert (await li.get(f"/desk/cases/{case_id}")).status_code == 404
    assert "/desk/cases/" not in (await li.get("/desk")).text
    ent0 = await world["person"]("ent0")
    page = (await ent0.get(f"/desk/cases/{case_id}")).text
    assert acts(page) == {"submit_plan"}
    # the enterprise cannot send a regulator's act, even by hand
    wang_page = (await wang.get(f"/desk/cases/{case_id}")).text
    forged = form(wang_page, "add_hazard")
    forged.fields["csrf_token"] = form(page, "submit_plan").fields["csrf_token"]
    answer = await ent0.post(
        forged.action.replace("add_hazard", "close"), data={**forged.fields, "summary": "x"}
    )
    assert answer.status_code == 403
    assert (await ok(world["api"].get(f"/cases/{case_id}")))["stage"] == "assessed"
    # the to-do lists
    assert 'data-todo="submit_plan"' in (await ent0.get("/desk")).text
    assert 'data-todo="submit_plan"' not in (await wang.get("/desk")).text


async def test_with_the_engine_away_the_form_says_so_keeps_its_input_and_acts_once_later(
    world, stack, pg_url, db
) -> None:
    """No worker on the process's task queue: opening a case answers 503 with the ticked reports
    and the form's idempotency key kept; sent again once a worker runs, it opens one case."""
    from recall.config import Settings
    from recall.main import create_app
    from recall.runtime import running_worker

    queue = f"away-{world['reports'][0][-6:]}"
    settings = Settings(
        database_url=pg_url, temporal={"task_queue": queue}, command_timeout_seconds=1.5
    )
    app = create_app(settings, temporal_client=stack["client"])
    async with app.router.lifespan_context(app):
        wang = await sign_in(app, "wang")
        try:
            page = (await wang.get("/desk/reports")).text
            key = form(page, "open_case").fields["idempotency_key"]
            away = await send(wang, page, "open_case", defect_report_ids=world["reports"])
            assert away.status_code == 503
            assert "data-error" in away.text
            kept = form(away.text, "open_case")
            assert kept.fields["idempotency_key"] == key  # the same act when sent again
            for report in world["reports"]:
                assert f'value="{report}" id="pick-{report}" checked' in away.text
            async with running_worker(stack["client"], db, task_queue=queue, webhook_url=None):
                again = await send(wang, away.text, "open_case", defect_report_ids=world["reports"])
                # A worker just started may take longer than the 1.5 s command timeout to take
                # its first task on a loaded machine: the user sends the kept form again.
                for _ in range(4):
                    if again.status_code != 503:
                        break
                    assert form(again.text, "open_case").fields["idempotency_key"] == key
                    again = await send(
                        wang, again.text, "open_case", defect_report_ids=world["reports"]
                    )
                assert again.status_code == 303, again.text
                again_twice = await send(
                    wang, away.text, "open_case", defect_report_ids=world["reports"]
                )
                assert again_twice.headers["location"] == again.headers["location"]
        finally:
            await wang.aclose()
    cases = (await ok(world["api"].get("/cases")))["items"]
    assert len(cases) == 1


async def test_the_to_do_list_is_soonest_due_first_with_its_due_dates(world) -> None:
    api = world["api"]
    numbers = []
    for report in world["reports"]:  # two cases, decided one after the other
        case = await ok(api.post("/cases", json={"defect_report_ids": [report]}), 201)
        await ok(
            api.post(
                f"/cases/{case['id']}/assessment", json={"severity": 3, "probability": "gt_1_10"}
            )
        )
        await ok(api.post(f"/cases/{case['id']}/decision", json={"decision": "ordered_recall"}))
        numbers.append(case["number"])
        detail = await ok(api.get(f"/cases/{case['id']}"))
        assert [d["kind"] for d in detail["deadlines"]] == ["plan"]
    person = await world["person"]("ent0")
    page = (await person.get("/desk")).text
    rows = re.findall(r'data-todo="submit_plan".*?>(RC-[\d-]+)<.*?data-due="([\d-]+)"', page, re.S)
    assert [number for number, _ in rows] == numbers  # the first decided is due first
    assert all(due for _, due in rows)
