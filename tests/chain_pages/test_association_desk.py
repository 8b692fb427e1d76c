"""The association's page over HTTP as a browser sends it: every signed-in person sees it (an
unknown one is 404); its own people and its founders' regulators are offered its next step, no
one else; the association takes it to registered through the page, a malformed registration
number refused beside the form with the input kept; the standards it drafts are linked."""

import pytest

from tests.api.helpers import ok
from tests.chain_pages.world import People, chain_acts, error_of, make_world, registration_no
from tests.desk.people import form, send

pytestmark = pytest.mark.slow


@pytest.fixture
async def world(api, stack, db):
    made = await make_world(api, db)
    people = People(stack["app"])
    yield {**made, "api": api, "person": people}
    await people.close()


async def test_who_is_offered_the_associations_next_step(world) -> None:
    path = f"/desk/associations/{world['association']}"
    for username, offered in (
        ("xie", True), ("wang", True), ("admin", True),
        ("li", False), ("ent0", False), ("ent1", False), ("other", False),
    ):  # fmt: skip
        client = await world["person"](username)
        answer = await client.get(path)
        assert answer.status_code == 200, username
        assert chain_acts(answer.text) == ({"transition"} if offered else set()), username
    xie = await world["person"]("xie")
    assert (await xie.get("/desk/associations/asn_nope")).status_code == 404
    page = (await xie.get(path)).text
    assert "金华市第1磁业有限公司" in page and "拟成立" in page  # founders, status
    assert f'href="/desk/programmes/{world["programme"]}"' in page
    # a regulator of another region does not see the programme: neither linked nor named (its
    # id is in the association, as the API shows it to anyone)
    li_page = (await (await world["person"]("li")).get(path)).text
    assert f'href="/desk/programmes/{world["programme"]}' not in li_page
    assert "巴克球产业提升" not in li_page


async def test_the_association_registers_itself_through_its_page(world) -> None:
    api, path = world["api"], f"/desk/associations/{world['association']}"
    standard = await ok(
        api.post(
            "/standards",
            json={"programme_id": world["programme"], "title": "磁力玩具 强磁体安全要求",
                  "kind": "group", "drafting_association_id": world["association"]},
        ),
        201,
    )  # fmt: skip
    xie = await world["person"]("xie")
    page = (await xie.get(path)).text
    assert f'href="/desk/standards/{standard["id"]}"' in page and "00.00" in page
    for step in ("preparing", "charter_adopted"):
        assert form(page, "transition")  # the next step only
        answer = await send(xie, page, "transition", to=step, note="第一次会员大会")
        assert answer.status_code == 303 and answer.headers["location"] == path
        page = (await xie.get(path)).text
    assert "registration_no" in page and "以 51 开头" in page

    good = registration_no(7)
    malformed = good[:-1] + ("Y" if good[-1] != "Y" else "0")  # a wrong check character
    refused = await send(xie, page, "transition", to="registered", registration_no=malformed)
    assert refused.status_code == 422
    text, field = error_of(refused.text)
    assert field == "registration_no" and "check character" in text
    assert f'value="{malformed}"' in refused.text  # the input is kept
    enterprise_code = registration_no(7, prefix="91")
    refused = await send(xie, refused.text, "transition", to="registered",
                         registration_no=enterprise_code)  # fmt: skip
    assert refused.status_code == 422 and "starts with &#39;91&#39;" in refused.text
    assert (await ok(api.get(f"/associations/{world['association']}")))["status"] == (
        "charter_adopted"
    )

    answer = await send(xie, refused.text, "transition", to="registered",
                        registration_no=good, note="民政局准予登记")  # fmt: skip
    assert answer.status_code == 303
    association = await ok(api.get(f"/associations/{world['association']}"))
    assert association["status"] == "registered" and association["registration_no"] == good
    page = (await xie.get(path)).text
    assert chain_acts(page) == set()  # the last stage
    assert f"登记证号 {good}：民政局准予登记" in page  # the note in Chinese, as typed after
    english = (await xie.get(path, params={"lang": "en"})).text
    assert f"registration no. {good}: 民政局准予登记" in english and "Registered" in english

    audit = (await ok(api.get("/audit", params={"object": world["association"]})))["items"]
    shown = {(a["action"], a["object_type"], a["status_code"]) for a in audit}
    assert ("transition", "associations", 303) in shown
    assert ("transition", "associations", 422) in shown


async def test_only_its_people_and_its_regulators_change_it(world) -> None:
    path = f"/desk/associations/{world['association']}"
    xie = await world["person"]("xie")
    f = form((await xie.get(path)).text, "transition")
    for username in ("other", "li", "ent0"):
        client = await world["person"](username)
        token = form((await client.get("/desk")).text, "sign_out").fields["csrf_token"]
        answer = await client.post(
            f.action, data={**f.fields, "csrf_token": token, "to": "preparing"}
        )
        assert answer.status_code == 403, username
        assert "data-error" in answer.text
    body = {**f.fields, "to": "preparing"}
    body.pop("csrf_token")
    assert (await xie.post(f.action, data=body)).status_code == 403
    association = await ok(world["api"].get(f"/associations/{world['association']}"))
    assert association["status"] == "proposed"
