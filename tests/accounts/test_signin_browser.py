"""Signing in and out in a real headless Chromium (Playwright): the form, the redirect to /desk,
the HttpOnly cookie no script can read, the nav of a signed-in person, and signing out."""

from urllib.parse import urlsplit

import pytest

from recall.accounts.sessions import COOKIE, session_id
from tests.accounts.helpers import PASSWORD, make_account
from tests.accounts.test_signin import sessions_of
from tests.browser import chromium, goto, submit

pytestmark = pytest.mark.slow
SIGN_IN = "form[data-action=sign_in]"


async def test_a_person_signs_in_and_out_in_chromium(live, db) -> None:
    await make_account(db, username="wang.wei", role="admin", name="王伟")
    async with chromium() as page:
        await goto(page, f"{live}/desk/admin/accounts")  # not signed in: to the form
        assert urlsplit(page.url).path == "/login"
        assert urlsplit(page.url).query == "next=%2Fdesk%2Fadmin%2Faccounts"

        refused = await submit(page, SIGN_IN, username="wang.wei", password="not the password")
        assert "用户名或密码不正确。" in await page.inner_text("[data-error]")
        assert await page.input_value(f"{SIGN_IN} [name=username]") == "wang.wei"
        assert "not the password" not in refused

        await goto(page, f"{live}/login")
        async with page.expect_response(lambda r: r.request.method == "POST") as posted:
            await submit(page, SIGN_IN, username="wang.wei", password=PASSWORD)
        answer = await posted.value
        assert answer.status == 303 and answer.headers["location"] == "/desk"
        assert urlsplit(page.url).path == "/desk"
        (cookie,) = [c for c in await page.context.cookies() if c["name"] == COOKIE]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
        assert await page.evaluate("document.cookie") == ""  # no script reads either cookie
        (row,) = await sessions_of(db, "wang.wei")
        assert row.id == session_id(cookie["value"])

        await goto(page, f"{live}/dashboard")
        assert "王伟（管理员）" in await page.inner_text("nav.account")
        assert await page.locator("nav.account a[href='/desk/admin/accounts']").count() == 1
        signed_out = await submit(page, "form[data-action=sign_out]")
        assert urlsplit(page.url).path == "/login" and "您已退出登录。" in signed_out
        assert [c for c in await page.context.cookies() if c["name"] == COOKIE] == []
        assert await sessions_of(db, "wang.wei") == []
        await goto(page, f"{live}/desk/admin/accounts")
        assert urlsplit(page.url).path == "/login"
