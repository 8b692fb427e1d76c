"""People with accounts, signed in through the real sign-in form, and the forms of a page read as
a browser reads them (tests/desk drive the pages by the contract's form conventions)."""

from dataclasses import dataclass, field

import httpx

from tests.accounts.helpers import PASSWORD, forms_of, make_account
from tests.accounts.helpers import sign_in as sign_in_by_form

__all__ = ["PASSWORD", "acts", "form", "forms", "make_people", "send", "sign_in"]


@dataclass
class Form:
    action: str
    act: str | None
    fields: dict[str, str] = field(default_factory=dict)


def forms(html: str) -> list[Form]:
    """The page's POST forms: where each goes, its data-action, its hidden fields."""
    return [
        Form(f["attrs"].get("action") or "", f["attrs"].get("data-action"), f["fields"])
        for f in forms_of(html)
        if (f["attrs"].get("method") or "").lower() == "post"
    ]


def form(html: str, act: str, hazard_id: str | None = None) -> Form:
    """The page's form for this act (and hazard); AssertionError if the page has none."""
    found = [
        f
        for f in forms(html)
        if f.act == act and (hazard_id is None or f.fields.get("hazard_id") == hazard_id)
    ]
    assert found, f"no form for {act} on the page"
    return found[0]


CASE_ACTS = frozenset({
    "open_case", "assess", "decide", "submit_plan", "accept_plan", "return_plan", "add_hazard",
    "eliminate_hazard", "reopen_hazard", "report_progress", "verify", "close",
})  # fmt: skip


def acts(html: str) -> set[str]:
    """The acts on a recall case that the page offers (not signing out and the like)."""
    return {f.act for f in forms(html) if f.act in CASE_ACTS}


async def make_people(sessionmaker, enterprises: list[dict]) -> dict[str, str]:
    """username -> role: a regulator of 330702 and one of 330782, each enterprise's person."""
    people = {
        "wang": dict(role="regulator", name="王监管", regions=["330702"]),
        "li": dict(role="regulator", name="李监管", regions=["330782"]),
        "admin": dict(role="admin", name="管理员"),
    }
    for i, enterprise in enumerate(enterprises):
        people[f"ent{i}"] = dict(role="enterprise", name=f"企业{i}", enterprise_id=enterprise["id"])
    for username, kwargs in people.items():
        await make_account(sessionmaker, username=username, **kwargs)
    return {u: p["role"] for u, p in people.items()}


async def sign_in(app, username: str, password: str = PASSWORD) -> httpx.AsyncClient:
    """A browser-like client (cookies kept, redirects not followed) signed in by the form."""
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    answer = await sign_in_by_form(client, username, password)
    assert answer.status_code == 303, answer.text
    return client


async def send(
    client: httpx.AsyncClient, html: str, act: str, hazard_id: str | None = None, files=None, **data
) -> httpx.Response:
    """Fill the act's form as on the page (its hidden fields kept) and send it."""
    f = form(html, act, hazard_id)
    body = {**f.fields, **{k: v for k, v in data.items()}}
    return await client.post(f.action, data=body, files=files)
