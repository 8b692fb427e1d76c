"""A standard taken from proposal to publication in a real headless Chromium (the system's, driven
by Playwright), through the pages only: its association moves it to public comment with a short
period, two members of the public comment through the public form (no account), the period ends
by itself, the association disposes each comment, records a ballot that fails and one that
passes, and publishes. In Chinese and in English; each step checked in the API. Screenshots of
the workspace, the public form and the committee's table (tmp path, or DESK_SCREENSHOTS)."""

from typing import TYPE_CHECKING

import pytest

from tests.api.eventually import eventually
from tests.api.helpers import ok
from tests.browser import browser
from tests.desk.people import PASSWORD
from tests.standards_pages.world import DAY, make_world

if TYPE_CHECKING:
    from playwright.async_api import Page

pytestmark = pytest.mark.slow

PERIOD_DAYS = 6 / DAY  # long enough for two people to comment in a browser, short to wait for


class Browser:
    """One person (or member of the public) in a browser of their own, using the pages only."""

    def __init__(self, page: "Page", base: str, lang: str):
        self.page, self.base, self.lang = page, base, lang

    def url(self, path: str) -> str:
        return f"{self.base}{path}" + ("" if self.lang == "zh" else "?lang=en")

    async def open(self, path: str) -> None:
        await self.page.goto(self.url(path))

    async def sign_in(self, username: str) -> None:
        await self.open("/login")
        await self.page.fill("input[name=username]", username)
        await self.page.fill("input[name=password]", PASSWORD)
        async with self.page.expect_navigation():
            await self.page.locator("form:has(input[name=password]) button[type=submit]").click()
        assert "/desk" in self.page.url, self.page.url

    async def send(self, selector: str, **fields: str) -> None:
        """Fill a form as a person would and send it; wait for the page it leads to."""
        form = self.page.locator(selector)
        for name, value in fields.items():
            field = form.locator(f'[name="{name}"]')
            if await field.evaluate("e => e.tagName") == "SELECT":
                await field.select_option(value)
            else:
                await field.fill(value)
        async with self.page.expect_navigation():
            await form.locator("button[type=submit]").click()

    async def act(self, act: str, **fields: str) -> None:
        await self.send(f'form[data-action="{act}"]', **fields)

    async def dispose(self, comment_id: str, **fields: str) -> None:
        selector = (
            f'form[data-action="dispose_comment"]:has([name=comment_id][value="{comment_id}"])'
        )
        await self.send(selector, **fields)

    async def ballot(self, votes: list[tuple[str, str]]) -> None:
        form = self.page.locator('form[data-action="ballot"]')
        for i, (voter, vote) in enumerate(votes):
            await form.locator("[name=voter]").nth(i).fill(voter)
            await form.locator("[name=vote]").nth(i).select_option(vote)
        async with self.page.expect_navigation():
            await form.locator("button[type=submit]").click()

    async def shot(self, folder, name: str) -> None:
        await self.page.screenshot(path=folder / f"{name}-{self.lang}.png", full_page=True)


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_standard_from_proposal_to_publication_in_the_browser(
    lang, live, api, db, shots
) -> None:
    world = await make_world(api, db)
    sid = world["standard"]["id"]
    desk, public = f"/desk/standards/{sid}", f"/standards/{sid}/comment"

    async def standard() -> dict:
        return await ok(api.get(f"/standards/{sid}"))

    async with browser() as new_page:
        xie = Browser(await new_page(), live, lang)
        await xie.sign_in("xie")
        await xie.open(desk)
        for stage in ("10.99", "20.00"):
            await xie.act("transition", to=stage)
            assert (await standard())["stage_code"] == stage
        await xie.act("transition", to="40.20", comment_period_days=f"{PERIOD_DAYS:.8f}")
        assert (await standard())["stage_code"] == "40.20"
        assert await xie.page.locator("[data-period=running] [data-due]").count() == 1
        await xie.shot(shots, "standard-public-comment")

        # two members of the public, no account, each in a browser of their own
        commenters = [
            ("张三", "金华市第1磁业有限公司", "5.2", "磁通量限值过严"),
            ("Li Si", "", "", "Add a warning label for children under 14"),
        ]
        for author, organisation, clause, text in commenters:
            member = Browser(await new_page(), live, lang)
            await member.open(public)
            assert await member.page.locator("[data-due]").count() == 1
            await member.send('form[data-action="comment"]', author=author,
                              organisation=organisation, clause=clause, text=text)  # fmt: skip
            assert "sent=1" in member.page.url
            assert await member.page.locator("[data-sent]").count() == 1
        await member.shot(shots, "standard-public-form")
        comments = (await standard())["comments"]
        assert [(c["author"], c["organisation"]) for c in comments] == [
            ("张三", "金华市第1磁业有限公司"),
            ("Li Si", None),
        ]

        # the period ends by itself; the public form says so
        await eventually(standard, lambda s: s["stage_code"] == "40.60", timeout=20)
        await member.open(public)
        assert await member.page.locator("[data-closed]").count() == 1
        assert await member.page.locator('form[data-action="comment"]').count() == 0

        # the association disposes each comment, then holds two ballots
        await xie.open(desk)
        assert await xie.page.locator('form[data-action="dispose_comment"]').count() == 2
        await xie.shot(shots, "standard-comments-closed")
        await xie.dispose(comments[0]["id"], disposition="partially_accepted",
                          reason="限值改为 50 kG²mm²")  # fmt: skip
        await xie.dispose(comments[1]["id"], disposition="accepted")
        assert all(c["disposition"] for c in (await standard())["comments"])
        await xie.act("transition", to="50.20")
        await xie.ballot([("专家A", "approve"), ("专家B", "disapprove"), ("专家C", "abstain")])
        assert (await standard())["ballot"]["passed"] is False
        assert await xie.page.locator("[data-ballot=not_passed]").count() == 1
        await xie.ballot([("专家A", "approve"), ("专家B", "approve"), ("专家C", "approve"),
                          ("专家D", "disapprove")])  # fmt: skip
        assert (await standard())["ballot"]["passed"] is True
        await xie.shot(shots, "standard-ballot")
        await xie.act("transition", to="50.60")
        await xie.act("transition", to="60.60")
        assert (await standard())["stage_code"] == "60.60"
        await xie.shot(shots, "standard-published")

        await xie.open(f"{desk}/comments/table")
        rows = xie.page.locator("table[data-table=committee] tbody tr")
        assert await rows.count() == 2
        assert "金华市第1磁业有限公司 / 张三" in await rows.first.inner_text()
        await xie.shot(shots, "standard-committee-table")
