"""/desk/admin/accounts on PostgreSQL: an admin makes, disables and resets accounts through the
forms; refused input shows the form again naming the field; everyone else is turned away."""

from sqlalchemy import select

from recall.accounts.models import Account
from recall.reference.models import Region
from tests.accounts.helpers import (
    audit_rows,
    browser,
    error_of,
    form_of,
    hidden,
    make_account,
    sign_in,
    who,
)

PAGE = "/desk/admin/accounts"


async def accounts(db) -> dict[str, Account]:
    async with db() as session:
        return {a.username: a for a in (await session.execute(select(Account))).scalars()}


async def regions(db) -> None:
    async with db() as session:
        session.add(Region(code="330702", name="婺城区"))
        session.add(Region(code="330782", name="义乌市"))
        await session.commit()


def row_form(html: str, username: str, data_action: str) -> dict:
    """A form in the row of one account."""
    (row,) = [part for part in html.split("<tr") if f'data-account="{username}"' in part]
    return form_of("<tr" + row, data_action)


def data_field(html: str) -> str | None:
    found = [part.split('"')[1] for part in html.split("data-field=")[1:] if part.startswith('"')]
    return found[0] if found else None


async def test_an_admin_makes_disables_and_resets_accounts(stack, db) -> None:
    await regions(db)
    await make_account(db, username="root", role="admin", name="系统管理员")
    async with browser(stack) as admin, browser(stack) as wang:
        await sign_in(admin, "root")
        page = await admin.get(PAGE)
        assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
        assert "default-src 'none'" in page.headers["content-security-policy"]
        assert "argon2" not in page.text  # never a hash
        create = hidden(page.text, "create_account")
        r = await admin.post(
            PAGE,
            data={
                **create,
                "username": "wang.jh",
                "name": "王金华",
                "role": "regulator",
                "region": ["330702", "330782"],
                "enterprise": "",
                "association": "",
                "password": "first password 1",
            },
        )
        assert r.status_code == 303
        assert r.headers["location"] == f"{PAGE}?done=created&username=wang.jh"
        made = (await accounts(db))["wang.jh"]
        assert made.role == "regulator" and made.regions == ["330702", "330782"]
        assert made.password_hash.startswith("$argon2id$")
        listed = (await admin.get(r.headers["location"])).text
        assert "已创建账户 wang.jh" in listed and "王金华" in listed and "婺城区 (330702)" in listed
        assert "argon2" not in listed and "first password" not in listed

        assert (await sign_in(wang, "wang.jh", "first password 1")).status_code == 303
        assert await who(wang) == "wang.jh"

        # a new password from the page: the person's sessions end, the new one works
        reset = row_form(listed, "wang.jh", "reset_password")
        assert reset["attrs"]["action"] == f"{PAGE}/wang.jh/password"
        r = await admin.post(
            reset["attrs"]["action"], data={**reset["fields"], "password": "second password 2"}
        )
        assert r.status_code == 303 and "done=reset" in r.headers["location"]
        assert await who(wang) is None
        assert (await sign_in(wang, "wang.jh", "second password 2")).status_code == 303

        # disabled from the page: signed out at once, and no sign-in any more
        disable = row_form((await admin.get(PAGE)).text, "wang.jh", "disable_account")
        assert disable["attrs"]["action"] == f"{PAGE}/wang.jh/disable"
        r = await admin.post(disable["attrs"]["action"], data=disable["fields"])
        assert r.status_code == 303 and "done=disabled" in r.headers["location"]
        assert (await accounts(db))["wang.jh"].disabled_at is not None
        assert await who(wang) is None
        assert (await sign_in(wang, "wang.jh", "second password 2")).status_code == 401
        assert 'data-state="disabled"' in (await admin.get(PAGE)).text

        # an admin cannot disable the account it is signed in with
        r = await admin.post(f"{PAGE}/root/disable", data=disable["fields"])
        assert r.status_code == 409 and error_of(r.text) == "不能停用自己正在使用的账户。"
        assert (await accounts(db))["root"].disabled_at is None
        own_row = r.text.split('data-account="root"')[1].split("</tr>")[0]
        assert 'data-action="disable_account"' not in own_row  # not offered either
        missing = await admin.post(f"{PAGE}/nobody/disable", data=disable["fields"])
        assert missing.status_code == 404

    rows = await audit_rows(db, actor="admin:root")
    acts = [(r.action, r.object_id, r.status_code) for r in rows]
    assert acts == [
        ("sign_in", "root", 303),
        ("create_account", "wang.jh", 303),
        ("reset_password", "wang.jh", 303),
        ("disable_account", "wang.jh", 303),
        ("disable_account", "root", 409),
        ("disable_account", "nobody", 404),
    ]
    assert all("password 1" not in (r.detail or "") for r in rows)


async def test_refused_input_shows_the_form_again_naming_the_field(stack, db) -> None:
    await regions(db)
    await make_account(db, username="root", role="admin")
    await make_account(db, username="taken", role="admin")
    good = {
        "username": "li.yw",
        "name": "李义乌",
        "role": "regulator",
        "region": "330782",
        "password": "long enough password",
    }
    refusals = [
        ({"username": "has space"}, 422, "username"),
        ({"username": "x" * 65}, 422, "username"),
        ({"username": "TAKEN"}, 409, "username"),
        ({"password": "short"}, 422, "password"),
        ({"password": "tab\tinside password"}, 422, "password"),
        ({"password": "p" * 201}, 422, "password"),
        ({"region": ""}, 422, "region"),
        ({"region": "999999"}, 422, "region"),
        ({"role": "emperor"}, 422, "role"),
        ({"role": "enterprise", "region": ""}, 422, "enterprise"),
        ({"role": "enterprise", "region": "", "enterprise": "ent_nope"}, 422, "enterprise"),
        ({"name": " "}, 422, "name"),
    ]
    async with browser(stack) as admin:
        await sign_in(admin, "root")
        csrf = hidden((await admin.get(PAGE)).text, "create_account")["csrf_token"]
        for change, status, field in refusals:
            r = await admin.post(PAGE, data={**good, **change, "csrf_token": csrf})
            assert r.status_code == status, (change, r.text)
            assert data_field(r.text) == field, change
            assert error_of(r.text), change
            kept = change.get("username", good["username"])
            if len(kept) <= 64:
                assert f'value="{kept}"' in r.text  # the input is kept
            assert "long enough password" not in r.text  # but never a password
        assert set(await accounts(db)) == {"root", "taken"}
        en = await admin.post(
            f"{PAGE}?lang=en", data={**good, "password": "short", "csrf_token": csrf}
        )
        assert error_of(en.text) == "password must be at least 10 characters"
        assert (await admin.post(PAGE, data={**good, "csrf_token": csrf})).status_code == 303


async def test_only_an_admin_with_a_good_csrf_token_may_act(stack, db) -> None:
    await regions(db)
    await make_account(db, username="root", role="admin")
    await make_account(db, username="wang", role="regulator", regions=["330702"])
    async with browser(stack) as anonymous:
        r = await anonymous.get(PAGE + "?lang=en")
        assert r.status_code == 303
        assert r.headers["location"] == "/login?next=%2Fdesk%2Fadmin%2Faccounts%3Flang%3Den&lang=en"
        r = await anonymous.post(f"{PAGE}/wang/disable", data={"csrf_token": "x"})
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    async with browser(stack) as regulator:
        await sign_in(regulator, "wang")
        page = await regulator.get(PAGE)
        assert page.status_code == 403 and "仅管理员可管理账户" in page.text
        assert "text/html" in page.headers["content-type"]
        assert 'href="/desk/admin/accounts"' not in page.text  # not in a regulator's nav
        csrf = hidden((await regulator.get("/login")).text, "sign_out")["csrf_token"]
        r = await regulator.post(f"{PAGE}/root/disable", data={"csrf_token": csrf})
        assert r.status_code == 403
    async with browser(stack) as admin, browser(stack) as other_admin:
        await sign_in(admin, "root")
        await sign_in(other_admin, "root")
        theirs = hidden((await other_admin.get(PAGE)).text, "create_account")["csrf_token"]
        mine = hidden((await admin.get(PAGE)).text, "create_account")["csrf_token"]
        assert theirs != mine  # one token per session
        new = {"username": "x.y", "name": "X", "role": "admin", "password": "p" * 12}
        for token in (None, "", theirs, mine + "x"):
            data = new if token is None else {**new, "csrf_token": token}
            r = await admin.post(PAGE, data=data)
            assert r.status_code == 403 and "text/html" in r.headers["content-type"]
            assert "表单已过期" in r.text
            r = await admin.post(f"{PAGE}/wang/disable", data=data)
            assert r.status_code == 403
            r = await admin.post(f"{PAGE}/wang/password", data={**data, "password": "q" * 12})
            assert r.status_code == 403
        made = await accounts(db)
        assert set(made) == {"root", "wang"} and made["wang"].disabled_at is None
        assert (await sign_in(admin, "wang")).status_code == 303  # the password is unchanged
