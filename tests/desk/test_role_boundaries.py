"""Every role boundary of the API holds on the pages: for each person and each act on a case,
the page answers as the API answers a token of the same role and scope: 404 for what they may
not see, 403 for what they may not do, and neither for what they may."""

import httpx
import pytest

from tests.api.helpers import ok, seed
from tests.conftest import make_token
from tests.desk.people import PASSWORD, form, make_people, sign_in

pytestmark = pytest.mark.slow

API_PATHS = {
    "assess": "assessment",
    "decide": "decision",
    "submit_plan": "plan",
    "accept_plan": "plan/acceptance",
    "return_plan": "plan/return",
    "add_hazard": "hazards",
    "report_progress": "progress-reports",
    "verify": "verification",
    "close": "closure",
    "eliminate_hazard": "hazards/{hazard}/elimination",
    "reopen_hazard": "hazards/{hazard}/reopening",
}
BOUNDARY = (403, 404)


async def test_pages_and_api_draw_the_same_lines(api, stack, db) -> None:
    seeded = await seed(api)
    ents = [e["id"] for e in seeded["enterprises"]]
    people = await make_people(db, seeded["enterprises"])
    people.pop("admin")
    case = await ok(api.post("/cases", json={"defect_report_ids": [seeded["report"]["id"]]}), 201)
    hazard = await ok(
        api.post(
            f"/cases/{case['id']}/hazards",
            json={"enterprise_id": ents[1], "category": "ingestion", "description": "磁珠"},
        ),
        201,
    )
    scopes = {
        "wang": dict(role="regulator", regions=["330702"]),
        "li": dict(role="regulator", regions=["330782"]),
        "ent0": dict(role="enterprise", enterprise_id=ents[0]),
        "ent1": dict(role="enterprise", enterprise_id=ents[1]),
    }
    app = stack["app"]
    for username, scope in scopes.items():
        token = await make_token(db, name=f"{username}-token", **scope)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://test/api/v1",
            headers={"Authorization": f"Bearer {token}"},
        ) as by_token:
            page_client = await sign_in(app, username, PASSWORD)
            try:
                seen_api = (await by_token.get(f"/cases/{case['id']}")).status_code
                page = await page_client.get(f"/desk/cases/{case['id']}")
                assert page.status_code == seen_api, username
                # a page's CSRF token, from a page every signed-in person has
                csrf = form((await page_client.get("/desk")).text, "sign_out").fields["csrf_token"]
                for act, path in API_PATHS.items():
                    api_answer = await by_token.post(
                        f"/cases/{case['id']}/" + path.format(hazard=hazard["id"]), json={}
                    )
                    page_answer = await page_client.post(
                        f"/desk/cases/{case['id']}/{act}",
                        data={"csrf_token": csrf, "hazard_id": hazard["id"]},
                    )
                    api_line = api_answer.status_code if api_answer.status_code in BOUNDARY else 0
                    page_line = (
                        page_answer.status_code if page_answer.status_code in BOUNDARY else 0
                    )
                    assert page_line == api_line, (username, act, api_answer.text)
            finally:
                await page_client.aclose()
    # nothing above changed the case: every act was empty, refused or out of its stage
    after = await ok(api.get(f"/cases/{case['id']}"))
    assert after["stage"] == "reported" and len(after["hazards"]) == 1
