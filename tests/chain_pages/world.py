"""What the chain's pages are tried on: two cases of one industry in 婺城区 (330702), a programme
started from the first through the API, an association formed for it (founded by the first
enterprise), another association of no programme, and the first enterprise in brand
cultivation; people with accounts: the programme region's regulator, another region's, both
enterprises, each association's person and an admin."""

import re

import httpx

from recall.accounts.service import create_account
from recall.rules.credit_code import credit_code_check_char
from tests.api.helpers import ok, seed
from tests.desk.people import PASSWORD, forms, sign_in

CHAIN_ACTS = frozenset({
    "start_programme", "waive_stage", "link_association", "create_association",
    "enrol_cultivation", "transition",
})  # fmt: skip


def registration_no(serial: int, prefix: str = "51", region: str = "330702") -> str:
    """A unified social credit code with its check character (51: a social organisation)."""
    body = f"{prefix}{region}MJ{serial:07d}"
    return body + credit_code_check_char(body)


async def make_world(api: httpx.AsyncClient, sessionmaker) -> dict:
    seeded = await seed(api)
    ent0, ent1 = (e["id"] for e in seeded["enterprises"])
    first = await ok(api.post("/cases", json={"defect_report_ids": [seeded["report"]["id"]],
                                              "title": "巴克球误吞"}), 201)  # fmt: skip
    report = await ok(
        api.post(
            "/defect-reports",
            json={"source": "consumer_complaint", "product": "磁力片", "description": "磁体脱出",
                  "industry_code": "magnetic-toys", "region_code": "330702",
                  "enterprise_ids": [ent1]},
        ),
        201,
    )  # fmt: skip
    second = await ok(api.post("/cases", json={"defect_report_ids": [report["id"]],
                                               "title": "磁力片磁体脱出"}), 201)  # fmt: skip
    programme = await ok(
        api.post(
            "/programmes",
            json={"industry_code": "magnetic-toys", "case_ids": [first["id"]],
                  "title": "巴克球产业提升"},
        ),
        201,
    )  # fmt: skip
    association = await ok(
        api.post(
            "/associations",
            json={"name": "金华市磁力玩具行业协会", "programme_id": programme["id"],
                  "founding_enterprise_ids": [ent0]},
        ),
        201,
    )  # fmt: skip
    other = await ok(
        api.post(
            "/associations", json={"name": "义乌市五金协会", "founding_enterprise_ids": [ent1]}
        ),
        201,
    )
    cultivation = await ok(
        api.post(
            "/brand-cultivations",
            json={"programme_id": programme["id"], "enterprise_id": ent0, "tier": "重点培育"},
        ),
        201,
    )
    people = {
        "wang": dict(role="regulator", name="王监管", regions=["330702"]),
        "li": dict(role="regulator", name="李监管", regions=["330782"]),
        "ent0": dict(role="enterprise", name="企业0", enterprise_id=ent0),
        "ent1": dict(role="enterprise", name="企业1", enterprise_id=ent1),
        "xie": dict(role="association", name="谢协会", association_id=association["id"]),
        "other": dict(role="association", name="外协会", association_id=other["id"]),
        "admin": dict(role="admin", name="管理员"),
    }
    async with sessionmaker() as session:
        for username, kwargs in people.items():
            await create_account(session, username=username, password=PASSWORD, **kwargs)
    return {
        "cases": [first["id"], second["id"]],
        "programme": programme["id"],
        "association": association["id"],
        "other_association": other["id"],
        "cultivation": cultivation["id"],
        "enterprises": [ent0, ent1],
    }


def chain_acts(html: str) -> set[str]:
    return {f.act for f in forms(html) if f.act in CHAIN_ACTS}


def error_of(html: str) -> tuple[str, str | None]:
    """The refusal shown on the page: its text and the field it names."""
    found = re.search(r"<p[^>]*data-error[^>]*>(.*?)</p>", html, re.S)
    assert found, "no refusal on the page"
    field = re.search(r'data-field="([^"]+)"', found.group(0))
    return found.group(1), field.group(1) if field else None


class People:
    """Signed-in browser-like clients, closed at the end."""

    def __init__(self, app):
        self.app, self.clients = app, []

    async def __call__(self, username: str) -> httpx.AsyncClient:
        client = await sign_in(self.app, username)
        self.clients.append(client)
        return client

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()
