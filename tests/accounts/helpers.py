"""Accounts and signing in the way a browser does: the form, its hidden fields, the cookies."""

import re
from html.parser import HTMLParser

import httpx
from sqlalchemy import select

from recall.accounts.models import Account
from recall.accounts.service import create_account
from recall.auth.models import AuditEntry

PASSWORD = "correct horse battery staple 42"


async def make_account(db, *, username: str, role: str = "admin", **fields) -> Account:
    fields.setdefault("name", username)
    fields.setdefault("password", PASSWORD)
    async with db() as session:
        return await create_account(session, username=username, role=role, **fields)


class _Forms(HTMLParser):
    """Every form of a page: its attributes (action, method, data-action) and hidden inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._open = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"attrs": a, "fields": {}})
            self._open = True
        elif tag == "input" and self._open and a.get("type") == "hidden":
            self.forms[-1]["fields"][a.get("name")] = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = False


def forms_of(html: str) -> list[dict]:
    """Every form of the page, as {"attrs": ..., "fields": {hidden inputs}}, in page order."""
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form_of(html: str, data_action: str) -> dict:
    """The form with this data-action: {"attrs": ..., "fields": {hidden inputs}}."""
    found = [f for f in forms_of(html) if f["attrs"].get("data-action") == data_action]
    assert found, f"no form data-action={data_action} in the page"
    return found[0]


def hidden(html: str, data_action: str) -> dict:
    return dict(form_of(html, data_action)["fields"])


def error_of(html: str) -> str | None:
    """The text of the page's data-error element."""
    found = re.search(r"<p[^>]*\bdata-error\b[^>]*>(.*?)</p>", html, re.S)
    return found.group(1).strip() if found else None


def signed_in_as(html: str) -> str | None:
    found = re.search(r'data-signed-in="([^"]*)"', html)
    return found.group(1) if found else None


async def sign_in(
    web: httpx.AsyncClient, username: str, password: str = PASSWORD, *, query: str = ""
) -> httpx.Response:
    """Load /login (for its csrf_token and cookie) and send the form as a browser would."""
    page = await web.get(f"/login{query}")
    assert page.status_code == 200, page.text
    form = form_of(page.text, "sign_in")
    fields = {**form["fields"], "username": username, "password": password}
    return await web.post(form["attrs"]["action"], data=fields)


async def who(web: httpx.AsyncClient) -> str | None:
    """The username base.html's nav shows as signed in, or None."""
    return signed_in_as((await web.get("/login")).text)


async def audit_rows(db, **where) -> list[AuditEntry]:
    async with db() as session:
        stmt = select(AuditEntry).order_by(AuditEntry.id)
        for column, value in where.items():
            stmt = stmt.where(getattr(AuditEntry, column) == value)
        return list((await session.execute(stmt)).scalars())


def browser(stack, *, address: str = "127.0.0.1", https: bool = False) -> httpx.AsyncClient:
    """A cookie-keeping client on the app, from this client address."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=stack["app"], client=(address, 50000)),
        base_url=f"{'https' if https else 'http'}://recall.test",
    )
