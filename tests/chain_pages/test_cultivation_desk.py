"""The brand cultivation's page over HTTP as a browser sends it: the enterprise sees its own and
its steps, the programme's regulators advance it, everyone else gets 404; certifying needs a
certificate number (the API refuses without one, and the page shows that refusal beside the
form); the last stage offers nothing."""

import pytest

from tests.api.helpers import ok
from tests.chain_pages.world import People, chain_acts, error_of, make_world
from tests.desk.people import form, send

pytestmark = pytest.mark.slow


@pytest.fixture
async def world(api, stack, db):
    made = await make_world(api, db)
    people = People(stack["app"])
    yield {**made, "api": api, "person": people}
    await people.close()


async def test_who_sees_the_cultivation_and_who_advances_it(world) -> None:
    path = f"/desk/brand-cultivations/{world['cultivation']}"
    for username, status, offered in (
        ("wang", 200, True), ("admin", 200, True), ("ent0", 200, False),
        ("ent1", 404, False), ("li", 404, False), ("xie", 404, False), ("other", 404, False),
    ):  # fmt: skip
        client = await world["person"](username)
        answer = await client.get(path)
        assert answer.status_code == status, username
        assert chain_acts(answer.text) == ({"transition"} if offered else set()), username
    ent0 = await world["person"]("ent0")
    page = (await ent0.get(path)).text
    assert "入库培育" in page and "诊断" in page and "重点培育" in page  # its steps, its tier
    assert f'href="/desk/programmes/{world["programme"]}"' in page  # it sees the programme

    # an enterprise's act is refused (403), and changes nothing
    f = form((await (await world["person"]("wang")).get(path)).text, "transition")
    token = form(page, "sign_out").fields["csrf_token"]
    answer = await ent0.post(f.action, data={**f.fields, "csrf_token": token, "to": "diagnosed"})
    assert answer.status_code == 403
    cultivation = await ok(world["api"].get(f"/brand-cultivations/{world['cultivation']}"))
    assert cultivation["stage"] == "enrolled"


async def test_a_regulator_takes_it_to_certified_and_labelled(world) -> None:
    api, path = world["api"], f"/desk/brand-cultivations/{world['cultivation']}"
    url = f"/brand-cultivations/{world['cultivation']}"
    wang = await world["person"]("wang")
    page = (await wang.get(path)).text
    for step in ("diagnosed", "improving", "certification_applied"):
        answer = await send(wang, page, "transition", to=step)
        assert answer.status_code == 303 and answer.headers["location"] == path
        page = (await wang.get(path)).text
    assert 'name="certificate_no"' in page

    # the API refuses to certify without a certificate number; the page shows it, input kept
    direct = await api.post(f"{url}/transitions", json={"to": "certified"})
    assert direct.status_code == 422 and direct.json()["field"] == "certificate_no"
    refused = await send(wang, page, "transition", to="certified", note="省品牌办审定")
    assert refused.status_code == 422
    assert error_of(refused.text)[1] == "certificate_no"
    assert "省品牌办审定</textarea>" in refused.text
    assert (await ok(api.get(url)))["stage"] == "certification_applied"

    answer = await send(wang, refused.text, "transition", to="certified",
                        certificate_no="品字标-ZJ-2026-0001", note="省品牌办审定")  # fmt: skip
    assert answer.status_code == 303
    cultivation = await ok(api.get(url))
    assert cultivation["stage"] == "certified"
    assert cultivation["certificate_no"] == "品字标-ZJ-2026-0001"
    page = (await wang.get(path)).text
    assert "证书编号 品字标-ZJ-2026-0001：省品牌办审定" in page
    await send(wang, page, "transition", to="labelled")
    page = (await wang.get(path)).text
    assert (await ok(api.get(url)))["stage"] == "labelled" and chain_acts(page) == set()
    assert "四个100%" in page
    # the enterprise sees where it stands
    ent0 = await world["person"]("ent0")
    assert 'data-stage="labelled"' in (await ent0.get(path)).text
