"""What the standard's pages are tried on: a programme, its drafting association and a standard
made through the API; people with accounts (the association's, the programme region's regulator,
another region's regulator, an enterprise); anonymous browsers from addresses of their own."""

import re

import httpx

from recall.accounts.service import create_account
from tests.api.helpers import ok, seed
from tests.desk.people import PASSWORD, forms

DAY = 86400
STANDARD_ACTS = frozenset({"transition", "comment", "dispose_comment", "ballot"})


async def make_world(api: httpx.AsyncClient, sessionmaker) -> dict:
    """A standard at 00.00 drafted by an association, with a drafter who may not vote."""
    seeded = await seed(api)
    case = await ok(api.post("/cases", json={"defect_report_ids": [seeded["report"]["id"]]}), 201)
    programme = await ok(
        api.post(
            "/programmes",
            json={
                "industry_code": "magnetic-toys",
                "case_ids": [case["id"]],
                "title": "巴克球产业提升",
            },
        ),
        201,
    )
    founders = [seeded["enterprises"][0]["id"]]
    association = await ok(
        api.post(
            "/associations",
            json={"name": "金华市磁力玩具行业协会", "programme_id": programme["id"],
                  "founding_enterprise_ids": founders},
        ),
        201,
    )  # fmt: skip
    other = await ok(
        api.post(
            "/associations", json={"name": "义乌市五金协会", "founding_enterprise_ids": founders}
        ),
        201,
    )
    standard = await ok(
        api.post(
            "/standards",
            json={"programme_id": programme["id"], "title": "磁力玩具 强磁体安全要求",
                  "kind": "group", "drafting_association_id": association["id"],
                  "drafters": ["张工"]},
        ),
        201,
    )  # fmt: skip
    people = {
        "xie": dict(role="association", name="谢协会", association_id=association["id"]),
        "other": dict(role="association", name="外协会", association_id=other["id"]),
        "wang": dict(role="regulator", name="王监管", regions=["330702"]),
        "li": dict(role="regulator", name="李监管", regions=["330782"]),
        "ent0": dict(role="enterprise", name="企业0", enterprise_id=founders[0]),
    }
    async with sessionmaker() as session:
        for username, kwargs in people.items():
            await create_account(session, username=username, password=PASSWORD, **kwargs)
    return {"standard": standard, "association": association, "programme": programme}


def anonymous(app, address: str) -> httpx.AsyncClient:
    """A browser-like client with no account, from its own client address."""
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


def standard_acts(html: str) -> set[str]:
    return {f.act for f in forms(html) if f.act in STANDARD_ACTS}


def options(html: str, act: str, name: str) -> list[str]:
    """The values a select of the act's form offers (without the empty "choose")."""
    form = re.search(rf'<form[^>]*data-action="{act}".*?</form>', html, re.S)
    assert form, f"no form for {act}"
    select = re.search(rf'<select name="{name}".*?</select>', form.group(0), re.S)
    assert select, f"no select {name} in {act}"
    return [v for v in re.findall(r'<option value="([^"]*)"', select.group(0)) if v]


def error_of(html: str) -> tuple[str, str | None]:
    """The refusal shown on the page: its text and the field it names."""
    found = re.search(r"<p[^>]*data-error[^>]*>(.*?)</p>", html, re.S)
    assert found, "no refusal on the page"
    field = re.search(r'data-field="([^"]+)"', found.group(0))
    return found.group(1), field.group(1) if field else None
