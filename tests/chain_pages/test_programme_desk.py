"""The programme's page over HTTP as a browser sends it (forms, cookies, redirects), on PostgreSQL
and the Temporal dev server: who sees it (404 for the rest), the forms each person is offered,
the acts sent from them (each checked in the API), refusals beside their form with the input
kept, a form without its CSRF token or sent twice, and starting a programme from a case's page."""

import re

import httpx
import pytest

from tests.api.helpers import ok
from tests.chain_pages.world import People, chain_acts, error_of, make_world
from tests.desk.people import form, send

pytestmark = pytest.mark.slow


@pytest.fixture
async def world(api, stack, db):
    made = await make_world(api, db)
    people = People(stack["app"])
    yield {**made, "api": api, "person": people, "app": stack["app"]}
    await people.close()


def options(html: str, act: str, name: str) -> list[str]:
    found = re.search(rf'<form[^>]*data-action="{act}".*?</form>', html, re.S)
    assert found, f"no form for {act}"
    select = re.search(rf'<select name="{name}".*?</select>', found.group(0), re.S)
    assert select, f"no select {name} in {act}"
    return [v for v in re.findall(r'<option value="([^"]*)"', select.group(0)) if v]


def boxes(html: str, act: str, name: str) -> dict[str, bool]:
    """The checkboxes of the act's form: value -> ticked."""
    found = re.search(rf'<form[^>]*data-action="{act}".*?</form>', html, re.S)
    assert found, f"no form for {act}"
    return {
        m.group(1): "checked" in m.group(0)
        for m in re.finditer(
            rf'<input type="checkbox" name="{name}" value="([^"]+)"[^>]*>', found.group(0)
        )
    }


async def test_the_chain_pages_need_a_person_signed_in(world) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=world["app"]), base_url="http://test"
    ) as anonymous:
        for path in (
            f"/desk/programmes/{world['programme']}",
            f"/desk/associations/{world['association']}",
            f"/desk/brand-cultivations/{world['cultivation']}",
        ):
            answer = await anonymous.get(path)
            assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


async def test_who_sees_the_programme_and_the_forms_each_is_offered(world) -> None:
    path = f"/desk/programmes/{world['programme']}"
    first, second = world["cases"]
    ent0, ent1 = world["enterprises"]

    wang = await world["person"]("wang")
    page = (await wang.get(path)).text
    assert chain_acts(page) == {
        "waive_stage", "link_association", "create_association", "enrol_cultivation",
        "start_programme",
    }  # fmt: skip
    # the stepper: each stage's status, the open one since when
    assert 'data-step="hazard_elimination" data-status="open"' in page
    assert 'data-step="brand_cultivation" data-status="pending"' in page
    assert "消除安全隐患" in page and "进行中" in page and "自 " in page
    # linked things by links to their own pages, each with its stage
    assert f'href="/desk/cases/{first}"' in page
    assert f'href="/desk/associations/{world["association"]}"' in page and "拟成立" in page
    assert f'href="/desk/brand-cultivations/{world["cultivation"]}"' in page and "入库培育" in page
    # the choices are what the API would take
    assert options(page, "waive_stage", "stage") == [
        "hazard_elimination", "association_formation", "standard_drafting", "brand_cultivation",
    ]  # fmt: skip
    assert options(page, "link_association", "association_id") == [world["other_association"]]
    assert options(page, "enrol_cultivation", "enterprise_id") == [ent1]  # ent0 is cultivated
    assert boxes(page, "start_programme", "case_ids") == {second: False}
    assert set(boxes(page, "create_association", "founding_enterprise_ids")) == {ent0, ent1}

    english = (await wang.get(path, params={"lang": "en"})).text
    assert "Hazard elimination" in english and "Waive a stage" in english
    assert "Proposed" in english and "Enrolled" in english and "消除安全隐患" not in english

    admin = await world["person"]("admin")
    assert chain_acts((await admin.get(path)).text) == chain_acts(page)

    # the cultivated enterprise and the programme's association see it, and do nothing there
    for username in ("ent0", "xie"):
        client = await world["person"](username)
        answer = await client.get(path)
        assert answer.status_code == 200 and chain_acts(answer.text) == set(), username
    xie_page = (await (await world["person"]("xie")).get(path)).text
    assert "brand-cultivations" not in xie_page and "另有 1 项您无权查看" in xie_page
    # everyone else: as if there were no such programme
    for username in ("li", "ent1", "other"):
        client = await world["person"](username)
        assert (await client.get(path)).status_code == 404, username
    assert (await wang.get("/desk/programmes/prg_nope")).status_code == 404


async def test_a_regulator_acts_on_the_programme_from_its_page(world) -> None:
    api, path = world["api"], f"/desk/programmes/{world['programme']}"
    ent1 = world["enterprises"][1]
    wang = await world["person"]("wang")
    page = (await wang.get(path)).text

    refused = await send(wang, page, "waive_stage", stage="hazard_elimination", reason="  ")
    assert refused.status_code == 422
    assert error_of(refused.text)[1] == "reason"
    assert 'value="hazard_elimination" selected' in refused.text  # the input is kept

    answer = await send(wang, refused.text, "waive_stage", stage="hazard_elimination",
                        reason="隐患已整改到位，先行筹建协会")  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"] == path
    programme = await ok(api.get(f"/programmes/{world['programme']}"))
    assert programme["stage"] == "association_formation"
    assert programme["stages"][0]["waiver_reason"] == "隐患已整改到位，先行筹建协会"
    page = (await wang.get(path)).text
    assert 'data-step="hazard_elimination" data-status="waived"' in page
    assert "hazard_elimination" not in options(page, "waive_stage", "stage")
    assert "豁免理由：隐患已整改到位" in page and "消除安全隐患：隐患已整改到位" in page  # timeline

    await send(wang, page, "link_association", association_id=world["other_association"])
    page = (await wang.get(path)).text
    assert "link_association" not in chain_acts(page)  # no association left to link

    answer = await send(wang, page, "create_association", name="金华市磁性材料协会",
                        founding_enterprise_ids=[ent1])  # fmt: skip
    assert answer.status_code == 303
    answer = await send(wang, page, "enrol_cultivation", enterprise_id=ent1, tier="梯度一")
    assert answer.status_code == 303
    programme = await ok(api.get(f"/programmes/{world['programme']}"))
    assert (
        len(programme["association_ids"]) == 3
        and world["other_association"] in (programme["association_ids"])
    )
    assert len(programme["cultivation_ids"]) == 2
    page = (await wang.get(path)).text
    assert "金华市磁性材料协会" in page and "enrol_cultivation" not in chain_acts(page)

    audit = (await ok(api.get("/audit", params={"object": world["programme"]})))["items"]
    acts = {(a["action"], a["object_type"], a["status_code"]) for a in audit}
    assert ("waive_stage", "programmes", 303) in acts and ("waive_stage", "programmes", 422) in acts
    assert ("link_association", "programmes", 303) in acts


async def test_a_refusal_of_the_api_is_shown_beside_its_form(world) -> None:
    """Forming an association of no founder, and enrolling an enterprise twice."""
    path = f"/desk/programmes/{world['programme']}"
    wang = await world["person"]("wang")
    page = (await wang.get(path)).text
    refused = await send(wang, page, "create_association", name="无发起企业的协会")
    assert refused.status_code == 422 and error_of(refused.text)[1] == "founding_enterprise_ids"
    assert 'value="无发起企业的协会"' in refused.text
    refused = await send(wang, page, "enrol_cultivation", enterprise_id=world["enterprises"][0])
    assert refused.status_code == 409 and error_of(refused.text)[1] == "enterprise_id"


async def test_only_who_may_run_the_programme_acts_on_it(world) -> None:
    path = f"/desk/programmes/{world['programme']}"
    wang = await world["person"]("wang")
    page = (await wang.get(path)).text
    f = form(page, "waive_stage")
    for username, status in (("ent0", 403), ("xie", 403), ("li", 404)):
        client = await world["person"](username)
        own = (await client.get("/desk")).text  # a page of theirs, for their CSRF token
        token = form(own, "sign_out").fields["csrf_token"]
        answer = await client.post(
            f.action,
            data={**f.fields, "csrf_token": token, "stage": "brand_cultivation", "reason": "x"},
        )
        assert answer.status_code == status, username
    programme = await ok(world["api"].get(f"/programmes/{world['programme']}"))
    assert all(s["status"] != "waived" for s in programme["stages"])


async def test_a_form_without_its_csrf_token_or_sent_twice(world) -> None:
    api, path = world["api"], f"/desk/programmes/{world['programme']}"
    wang = await world["person"]("wang")
    page = (await wang.get(path)).text
    f = form(page, "waive_stage")
    body = {**f.fields, "stage": "brand_cultivation", "reason": "无需培育"}
    body.pop("csrf_token")
    assert (await wang.post(f.action, data=body)).status_code == 403
    programme = await ok(api.get(f"/programmes/{world['programme']}"))
    assert all(s["status"] != "waived" for s in programme["stages"])

    founders = [world["enterprises"][1]]
    first = await send(
        wang, page, "create_association", name="双击协会", founding_enterprise_ids=founders
    )
    again = await send(
        wang, page, "create_association", name="双击协会", founding_enterprise_ids=founders
    )
    assert first.status_code == again.status_code == 303
    named = [a for a in (await ok(api.get("/associations")))["items"] if a["name"] == "双击协会"]
    assert len(named) == 1


async def test_a_regulator_starts_a_programme_from_a_case_page(world) -> None:
    api = world["api"]
    first, second = world["cases"]
    wang = await world["person"]("wang")
    # a case already in a programme offers none; one in none offers it, itself ticked
    assert "start_programme" not in chain_acts((await wang.get(f"/desk/cases/{first}")).text)
    page = (await wang.get(f"/desk/cases/{second}")).text
    assert boxes(page, "start_programme", "case_ids") == {second: True}
    f = form(page, "start_programme")
    assert f.action == "/desk/programmes/start_programme"
    assert f.fields["industry_code"] == "magnetic-toys"

    refused = await send(wang, page, "start_programme", case_ids=[second], title=" ")
    assert refused.status_code == 422 and error_of(refused.text)[1] == "title"
    assert 'data-case="' in refused.text and boxes(refused.text, "start_programme", "case_ids") == {
        second: True
    }
    answer = await send(wang, refused.text, "start_programme", case_ids=[second],
                        title="义乌磁力片质量提升")  # fmt: skip
    assert answer.status_code == 303
    programme_id = answer.headers["location"].removeprefix("/desk/programmes/")
    programme = await ok(api.get(f"/programmes/{programme_id}"))
    assert programme["case_ids"] == [second] and programme["title"] == "义乌磁力片质量提升"
    assert (await ok(api.get(f"/cases/{second}")))["programme_id"] == programme_id
    page = (await wang.get(f"/desk/cases/{second}")).text
    assert "start_programme" not in chain_acts(page)
    assert f'href="/desk/programmes/{programme_id}"' in page

    # the enterprise of the case sees it, and may start nothing
    ent1 = await world["person"]("ent1")
    assert "start_programme" not in chain_acts((await ent1.get(f"/desk/cases/{second}")).text)


async def test_a_refused_start_goes_back_to_the_programme_page(world) -> None:
    first, second = world["cases"]
    path = f"/desk/programmes/{world['programme']}"
    wang = await world["person"]("wang")
    page = (await wang.get(path)).text
    refused = await send(wang, page, "start_programme", case_ids=[first, second], title="再来一个")
    assert refused.status_code == 409 and error_of(refused.text)[1] == "case_ids"
    assert f'data-programme="{world["programme"]}"' in refused.text
    assert 'value="再来一个"' in refused.text
    assert boxes(refused.text, "start_programme", "case_ids") == {second: True}
