"""Signing in and out through the pages, on PostgreSQL: the session cookie and when it ends, one
answer for every refusal, the lockout (concurrent failures included), CSRF, `next`, the audit."""

import asyncio
import statistics
import time
from datetime import timedelta
from urllib.parse import quote

from sqlalchemy import select, update

from recall.accounts import service
from recall.accounts.models import Account, SigninFailures, WebSession
from recall.accounts.sessions import COOKIE, CSRF_COOKIE, session_id
from recall.common.types import utcnow
from tests.accounts.helpers import (
    PASSWORD,
    audit_rows,
    browser,
    error_of,
    hidden,
    make_account,
    sign_in,
    who,
)

REFUSED_ZH = "用户名或密码不正确。"


async def sessions_of(db, username: str) -> list[WebSession]:
    async with db() as session:
        return list(
            (
                await session.execute(
                    select(WebSession)
                    .join(Account, Account.id == WebSession.account_id)
                    .where(Account.username == username)
                )
            ).scalars()
        )


async def failures(db) -> dict[str, SigninFailures]:
    async with db() as session:
        return {row.key: row for row in (await session.execute(select(SigninFailures))).scalars()}


async def test_signing_in_sets_a_server_side_session_cookie(stack, db) -> None:
    await make_account(db, username="Wang.Wei", role="admin", name="王伟")
    async with browser(stack) as web:
        page = await web.get("/login")
        assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
        assert "default-src 'none'" in page.headers["content-security-policy"]
        fields = hidden(page.text, "sign_in")
        assert fields["csrf_token"] == web.cookies[CSRF_COOKIE]  # the double-submit pair
        csrf_cookie = [part.strip() for part in page.headers["set-cookie"].lower().split(";")]
        assert {"httponly", "samesite=lax", "path=/"} <= set(csrf_cookie)

        r = await sign_in(web, "wang.wei")  # usernames are told apart without regard to case
        assert r.status_code == 303 and r.headers["location"] == "/desk"
        cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith(f"{COOKIE}="))
        flags = [part.strip().lower() for part in cookie.split(";")]
        assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
        assert "max-age=28800" in flags and "secure" not in flags
        secret = web.cookies[COOKIE]
        assert len(secret) >= 43
        (row,) = await sessions_of(db, "Wang.Wei")
        assert row.id == session_id(secret) and row.id != secret  # only the hash is kept
        assert (
            timedelta(hours=7, minutes=59) < row.expires_at - row.created_at <= timedelta(hours=8)
        )
        assert await who(web) == "Wang.Wei"
        shown = (await web.get("/login")).text
        assert "王伟（管理员）" in shown and 'href="/desk"' in shown
        assert 'href="/desk/admin/accounts"' in shown  # an admin's link
        assert hidden(shown, "sign_out")["csrf_token"] == row.csrf_token

        # signing in again makes a new session and ends the old one (no fixation)
        again = await sign_in(web, "Wang.Wei", query="?lang=en")
        assert again.headers["location"] == "/desk?lang=en"
        assert web.cookies[COOKIE] != secret
        (newer,) = await sessions_of(db, "Wang.Wei")
        assert newer.id == session_id(web.cookies[COOKIE])

    async with browser(stack, https=True) as web:  # over HTTPS the cookies are Secure
        r = await sign_in(web, "Wang.Wei")
        assert r.status_code == 303
        cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith(COOKIE))
        assert "secure" in cookie.lower()


async def test_next_goes_to_a_local_path_only(stack, db) -> None:
    await make_account(db, username="zhao", role="admin")
    cases = {
        "/dashboard?region=330702": "/dashboard?region=330702",
        "//evil.example/x": "/desk",
        "/\\evil.example": "/desk",
        "https://evil.example/": "/desk",
        "/\t/evil.example": "/desk",
        "javascript:alert(1)": "/desk",
        "": "/desk",
    }
    for given, expected in cases.items():
        async with browser(stack) as web:
            page = await web.get(f"/login?next={quote(given)}")
            kept = hidden(page.text, "sign_in")["next"]
            assert kept == (given if expected == given else ""), given
            fields = {**hidden(page.text, "sign_in"), "username": "zhao", "password": PASSWORD}
            fields["next"] = given  # even when sent by hand
            r = await web.post("/login", data=fields)
            assert r.status_code == 303 and r.headers["location"] == expected, given
    async with browser(stack) as web:
        r = await sign_in(web, "zhao", query=f"?lang=en&next={quote('/dashboard')}")
        assert r.headers["location"] == "/dashboard?lang=en"


async def test_every_refusal_reads_the_same_and_costs_the_same(stack, db) -> None:
    await make_account(db, username="alice", role="admin")
    await make_account(db, username="gone", role="admin")
    async with db() as session:
        await service.disable_account(session, "gone")
    answers = {}
    timings: dict[str, list[float]] = {"wrong": [], "unknown": []}
    for n, (case, username, password) in enumerate(
        [
            ("wrong", "alice", "not the password"),
            ("unknown", "nobody", "not the password"),
            ("disabled", "gone", PASSWORD),
            ("wrong", "alice", "not the password either"),
            ("unknown", "nobody2", "not the password"),
            ("wrong", "alice", "still not it"),
            ("unknown", "nobody3", "not the password"),
        ]
    ):
        async with browser(stack, address=f"10.0.0.{n}") as web:
            page = await web.get("/login")
            fields = {**hidden(page.text, "sign_in"), "username": username, "password": password}
            started = time.perf_counter()
            r = await web.post("/login", data=fields)
            timings.setdefault(case, []).append(time.perf_counter() - started)
            assert r.status_code == 401, (case, r.text)
            assert COOKIE not in web.cookies
            assert f'value="{username}"' in r.text  # the username is kept
            assert password not in r.text
            answers[case] = (error_of(r.text), r.text.replace(username, "U"))
    assert {error for error, _ in answers.values()} == {REFUSED_ZH}
    # the whole page is the same, but for the username echoed and the form's token
    pages = {
        case: "\n".join(line for line in text.splitlines() if "csrf_token" not in line)
        for case, (_, text) in answers.items()
    }
    assert pages["wrong"] == pages["unknown"] == pages["disabled"]
    # an unknown user is checked against a hash too: as slow as a wrong password
    wrong, unknown = statistics.median(timings["wrong"]), statistics.median(timings["unknown"])
    assert unknown > 0.5 * wrong and wrong > 0.5 * unknown, timings
    async with browser(stack) as web:
        r = await sign_in(web, "gone")
        assert r.status_code == 401 and error_of(r.text) == REFUSED_ZH
        en = await sign_in(web, "nobody", "x" * 12, query="?lang=en")
        assert error_of(en.text) == "The username or password is not right."


async def test_failures_lock_the_user_and_the_address_with_one_message(stack, db) -> None:
    await make_account(db, username="alice", role="admin")
    for n in range(5):  # five addresses, one username
        async with browser(stack, address=f"10.1.0.{n}") as web:
            assert (await sign_in(web, "alice", "wrong password!")).status_code == 401
    async with browser(stack, address="10.1.0.99") as web:
        locked = await sign_in(web, "alice")  # the right password, but locked
        assert locked.status_code == 429 and COOKIE not in web.cookies
        assert int(locked.headers["retry-after"]) > 14 * 60
        message = error_of(locked.text)
        assert message.startswith("登录失败次数过多，请于 ") and "后再试" in message
    rows = await failures(db)
    assert rows["user:alice"].failures == 5 and rows["user:alice"].locked_until > utcnow()

    # one address, twenty usernames that do not exist: the address is locked, the same message
    for n in range(service.MAX_ADDRESS_FAILURES):
        async with browser(stack, address="10.2.0.1") as web:
            assert (await sign_in(web, f"ghost{n}", "wrong password!")).status_code == 401
    async with browser(stack, address="10.2.0.1") as web:
        ghost = await sign_in(web, "ghost-new", "wrong password!")
        assert ghost.status_code == 429
        assert error_of(ghost.text).split("请于")[0] == message.split("请于")[0]

    # once the lock is over, the right password works and clears the user's failures
    async with db() as session:
        past = utcnow() - timedelta(minutes=16)
        await session.execute(
            update(SigninFailures).values(locked_until=past, first_failed_at=past)
        )
        await session.commit()
    async with browser(stack, address="10.1.0.99") as web:
        assert (await sign_in(web, "alice")).status_code == 303
    assert await failures(db) == {}  # alice's count cleared, and counts long over dropped


async def test_a_success_clears_the_count_and_a_stale_window_starts_again(stack, db) -> None:
    await make_account(db, username="bob", role="admin")
    for n in range(4):
        async with browser(stack, address=f"10.3.0.{n}") as web:
            await sign_in(web, "bob", "wrong password!")
    async with browser(stack, address="10.3.1.1") as web:
        assert (await sign_in(web, "bob")).status_code == 303
    assert "user:bob" not in await failures(db)
    for n in range(4):
        async with browser(stack, address=f"10.3.2.{n}") as web:
            await sign_in(web, "bob", "wrong password!")
    async with db() as session:  # those four were long ago: the next one counts as the first
        await session.execute(
            update(SigninFailures).values(first_failed_at=utcnow() - timedelta(minutes=20))
        )
        await session.commit()
    async with browser(stack, address="10.3.3.1") as web:
        await sign_in(web, "bob", "wrong password!")
    row = (await failures(db))["user:bob"]
    assert row.failures == 1 and row.locked_until is None


async def test_twenty_failures_at_once_all_count(stack, db) -> None:
    await make_account(db, username="carol", role="admin")
    clients = [browser(stack, address="10.4.0.1") for _ in range(20)]
    forms = []
    for web in clients:
        page = await web.get("/login")
        forms.append({**hidden(page.text, "sign_in"), "username": "carol", "password": "bad!" * 3})
    answers = await asyncio.gather(
        *(web.post("/login", data=form) for web, form in zip(clients, forms, strict=True))
    )
    statuses = [r.status_code for r in answers]
    assert set(statuses) <= {401, 429} and statuses.count(401) >= 5, statuses
    rows = await failures(db)
    assert rows["user:carol"].failures == statuses.count(401)  # none lost to a race
    assert rows["addr:10.4.0.1"].failures == statuses.count(401)
    assert (await sign_in(clients[0], "carol")).status_code == 429
    for web in clients:
        await web.aclose()


async def test_sessions_end_on_sign_out_disable_password_change_and_expiry(stack, db) -> None:
    await make_account(db, username="dave", role="admin")
    async with browser(stack) as web:
        await sign_in(web, "dave")
        secret = web.cookies[COOKIE]
        page = (await web.get("/login")).text
        r = await web.post("/logout", data={"csrf_token": "wrong"})
        assert r.status_code == 403 and await who(web) == "dave"  # still signed in
        r = await web.post("/logout", data=hidden(page, "sign_out"))
        assert r.status_code == 303 and r.headers["location"] == "/login?signed_out=1"
        assert await sessions_of(db, "dave") == [] and COOKIE not in web.cookies
        web.cookies.set(COOKIE, secret, domain="recall.test")  # the old cookie, kept by hand
        assert await who(web) is None

    async with browser(stack) as web:  # disabled: the session ends at once
        await sign_in(web, "dave")
        async with db() as session:
            await service.disable_account(session, "dave")
        assert await sessions_of(db, "dave") == [] and await who(web) is None

    await make_account(db, username="erin", role="admin")
    async with browser(stack) as web, browser(stack) as elsewhere:
        await sign_in(web, "erin")
        await sign_in(elsewhere, "erin")
        assert len(await sessions_of(db, "erin")) == 2
        async with db() as session:
            await service.set_password(session, "erin", "a new password 2026")
        assert await who(web) is None and await who(elsewhere) is None
        assert (await sign_in(web, "erin")).status_code == 401
        assert (await sign_in(web, "erin", "a new password 2026")).status_code == 303

        # expired: refused, the row removed, the cookie forgotten, the form says why
        async with db() as session:
            await session.execute(
                update(WebSession).values(expires_at=utcnow() - timedelta(seconds=1))
            )
            await session.commit()
        page = await web.get("/login")
        assert "登录已失效" in page.text and signed_in_as_none(page.text)
        assert f"{COOKIE}=" in page.headers["set-cookie"] and COOKIE not in web.cookies
        assert await sessions_of(db, "erin") == []


def signed_in_as_none(html: str) -> bool:
    return "data-signed-in" not in html


async def test_a_session_left_behind_is_refused_after_disable_or_a_new_password(stack, db) -> None:
    """Belt and braces: rows that survived (say, written by a replica at that moment)."""
    await make_account(db, username="fay", role="admin")
    async with browser(stack) as web:
        await sign_in(web, "fay")
        async with db() as session:  # a password change that did not delete the rows
            await session.execute(
                update(Account).values(password_changed_at=utcnow() + timedelta(seconds=1))
            )
            await session.commit()
        assert await who(web) is None
    async with db() as session:
        await session.execute(update(Account).values(password_changed_at=utcnow()))
        await session.commit()
    async with browser(stack) as web:
        await sign_in(web, "fay")
        async with db() as session:  # disabled without the rows deleted
            await session.execute(update(Account).values(disabled_at=utcnow()))
            await session.commit()
        assert await who(web) is None


async def test_forms_without_a_good_csrf_token_change_nothing(stack, db) -> None:
    await make_account(db, username="gus", role="admin")
    async with browser(stack) as web:
        page = await web.get("/login")
        fields = {**hidden(page.text, "sign_in"), "username": "gus", "password": PASSWORD}
        for bad in ({"csrf_token": ""}, {"csrf_token": "x" * 43}):
            r = await web.post("/login", data={**fields, **bad})
            assert r.status_code == 403 and COOKIE not in web.cookies
            assert error_of(r.text) and 'value="gus"' in r.text
        web.cookies.delete(CSRF_COOKIE)  # the field without its cookie
        r = await web.post("/login", data=fields)
        assert r.status_code == 403 and COOKIE not in web.cookies
    assert await sessions_of(db, "gus") == []
    assert await failures(db) == {}  # a refused form is not a failed sign-in either


async def test_page_acts_are_in_the_audit_trail_with_the_person(stack, db) -> None:
    await make_account(db, username="hana", role="admin")
    async with browser(stack) as web:
        await sign_in(web, "hana", "the wrong one!!")
        await sign_in(web, "nobody", "the wrong one!!")
        await sign_in(web, "hana")
        page = (await web.get("/login")).text
        await web.post("/logout", data=hidden(page, "sign_out"))
    rows = await audit_rows(db)
    by_action = [(r.action, r.actor, r.object_id, r.status_code) for r in rows]
    assert by_action == [
        ("sign_in", "anonymous", "hana", 401),
        ("sign_in", "anonymous", "nobody", 401),
        ("sign_in", "admin:hana", "hana", 303),
        ("sign_out", "admin:hana", "hana", 303),
    ]
    assert "wrong password" in rows[0].detail and "unknown user" in rows[1].detail
    assert {r.object_type for r in rows} == {"account"}
    for row in rows:
        assert "the wrong one" not in " ".join(str(v) for v in vars(row).values())
        assert PASSWORD not in " ".join(str(v) for v in vars(row).values())
