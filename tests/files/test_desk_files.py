"""GET /desk/files/{id}: the same download for a person signed in with the session cookie, to
those who may see it; to the sign-in form without a session; a not-found page to anyone else."""

import secrets
from datetime import timedelta

import httpx

from recall.accounts.models import WebSession
from recall.accounts.service import create_account
from recall.accounts.sessions import COOKIE, principal_of, session_id
from recall.common.types import utcnow
from recall.files.service import attach, store_file
from tests.api.helpers import ok, seed
from tests.files.samples import pdf

PASSWORD = "correct horse battery staple 42"


async def browser_of(stack, db, **account) -> tuple[httpx.AsyncClient, object]:
    """A browser with a live session cookie of a new account (no /login round trip)."""
    secret = secrets.token_urlsafe(32)
    async with db() as session:
        created = await create_account(session, password=PASSWORD, **account)
        principal = principal_of(created)
        now = utcnow()
        session.add(
            WebSession(
                id=session_id(secret),
                account_id=created.id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                expires_at=now + timedelta(hours=1),
            )
        )
        await session.commit()
    browser = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=stack["app"]),
        base_url="http://test",
        cookies={COOKIE: secret},
    )
    return browser, principal


async def test_a_signed_in_person_downloads_what_they_may_see(api, stack, db) -> None:
    data = await seed(api)
    ent = data["enterprises"][0]["id"]
    owner, owner_principal = await browser_of(
        stack, db, username="jinhua1", name="金华一厂", role="enterprise", enterprise_id=ent
    )
    local, _ = await browser_of(
        stack, db, username="wang", name="王监管", role="regulator", regions=["330702"]
    )
    elsewhere, _ = await browser_of(
        stack, db, username="li", name="李监管", role="regulator", regions=["330782"]
    )
    anonymous = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=stack["app"]), base_url="http://test"
    )
    report = pdf("整改报告")
    async with db() as session:
        stored = await store_file(
            session, name="整改报告.pdf", data=report, principal=owner_principal
        )
    url = f"/desk/files/{stored.id}"
    async with owner, local, elsewhere, anonymous:
        r = await owner.get(url)
        assert r.status_code == 200 and r.content == report
        assert r.headers["content-type"] == "application/pdf"
        assert r.headers["content-disposition"] == (
            "attachment; filename*=UTF-8''%E6%95%B4%E6%94%B9%E6%8A%A5%E5%91%8A.pdf"
        )
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["cache-control"] == "private, no-store"
        assert r.headers["content-security-policy"] == "default-src 'none'; sandbox"

        r = await anonymous.get(url)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
        # an API token is no session: the page does not read the Authorization header
        r = await anonymous.get(url, headers={"Authorization": api.headers["Authorization"]})
        assert r.status_code == 303

        for stranger in (local, elsewhere):
            r = await stranger.get(url)
            assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
            assert report not in r.content

        case = await ok(api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]}), 201)
        async with db() as session:
            await attach(session, case["id"], [stored.id])
            await session.commit()
        assert (await local.get(url)).content == report
        assert (await elsewhere.get(url)).status_code == 404
        assert (await owner.get("/desk/files/file_none")).status_code == 404
