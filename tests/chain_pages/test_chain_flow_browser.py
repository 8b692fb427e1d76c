"""The chain's pages in a real headless Chromium (the system's, driven by Playwright), through
the forms only, in Chinese and in English: a regulator starts a programme from a case's page and
waives a stage; the regulator takes a brand cultivation to certified, refused first without a
certificate number (the reason beside the form); the association's person registers it after a
malformed registration number is refused. Each step checked in the API; screenshots of each page
(in the test's tmp path, or DESK_SCREENSHOTS)."""

from typing import TYPE_CHECKING

import pytest

from tests.api.helpers import ok
from tests.browser import browser
from tests.chain_pages.world import make_world, registration_no
from tests.desk.people import PASSWORD

if TYPE_CHECKING:
    from playwright.async_api import Page

pytestmark = pytest.mark.slow

WORDS = {  # what each language's page says, not the codes behind it
    "zh": {"waive": "豁免阶段", "waived": "已豁免", "certified": "获证", "registered": "登记成立"},
    "en": {"waive": "Waive a stage", "waived": "waived", "certified": "Certified",
           "registered": "Registered"},
}  # fmt: skip


class Person:
    """One person in a browser of their own, acting through the pages only."""

    def __init__(self, page: "Page", base: str, lang: str):
        self.page, self.base, self.lang = page, base, lang

    def url(self, path: str) -> str:
        return f"{self.base}{path}" + ("" if self.lang == "zh" else "?lang=en")

    async def sign_in(self, username: str) -> None:
        await self.page.goto(self.url("/login"))
        await self.page.fill("input[name=username]", username)
        await self.page.fill("input[name=password]", PASSWORD)
        async with self.page.expect_navigation():
            await self.page.locator("form:has(input[name=password]) button[type=submit]").click()
        assert "/desk" in self.page.url, self.page.url

    async def open(self, path: str) -> None:
        await self.page.goto(self.url(path))

    def form(self, act: str):
        return self.page.locator(f'form[data-action="{act}"]')

    async def act(self, act: str, **fields: str) -> None:
        """Fill the act's form as a person would and send it; wait for the page it leads to."""
        form = self.form(act)
        for name, value in fields.items():
            field = form.locator(f'[name="{name}"]')
            if await field.evaluate("e => e.tagName") == "SELECT":
                await field.select_option(value)
            else:
                await field.fill(value)
        async with self.page.expect_navigation():
            await form.locator("button[type=submit]").click()

    async def error_beside(self, act: str) -> tuple[str, str | None]:
        error = self.form(act).locator("[data-error]")
        assert await error.count() == 1, await self.page.content()
        return await error.inner_text(), await error.get_attribute("data-field")


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_chain_through_its_pages_in_the_browser(lang, live, api, db, shots) -> None:
    world = await make_world(api, db)
    words = WORDS[lang]
    second = world["cases"][1]
    async with browser() as new_page:
        wang = Person(await new_page(), live, lang)
        xie = Person(await new_page(), live, lang)
        await wang.sign_in("wang")
        await xie.sign_in("xie")

        # a programme started from a case's page, the case ticked there
        await wang.open(f"/desk/cases/{second}")
        assert (
            await wang.form("start_programme")
            .locator(f'input[name=case_ids][value="{second}"]')
            .is_checked()
        )
        await wang.page.screenshot(path=shots / f"chain-case-start-{lang}.png", full_page=True)
        await wang.act("start_programme", title="义乌磁力片质量提升")
        assert "/desk/programmes/" in wang.page.url
        programme_id = wang.page.url.split("/desk/programmes/")[1].split("?")[0]
        assert (await ok(api.get(f"/cases/{second}")))["programme_id"] == programme_id

        # a stage waived with its reason
        assert await wang.form("waive_stage").locator("button").inner_text() == words["waive"]
        await wang.act("waive_stage", stage="hazard_elimination", reason="企业已整改，先建协会")
        programme = await ok(api.get(f"/programmes/{programme_id}"))
        assert programme["stages"][0]["status"] == "waived"
        assert programme["stage"] == "association_formation"
        step = wang.page.locator('[data-step="hazard_elimination"]')
        assert words["waived"] in await step.inner_text()
        assert "企业已整改，先建协会" in await step.inner_text()
        await wang.page.screenshot(path=shots / f"chain-programme-{lang}.png", full_page=True)

        # a brand cultivation to certified: refused first without a certificate number
        path = f"/desk/brand-cultivations/{world['cultivation']}"
        await wang.open(path)
        for to in ("diagnosed", "improving", "certification_applied"):
            await wang.act("transition", to=to)
        await wang.act("transition", to="certified", note="审定通过")
        text, field = await wang.error_beside("transition")
        assert field == "certificate_no", text
        assert await wang.form("transition").locator("[name=note]").input_value() == "审定通过"
        url = f"/brand-cultivations/{world['cultivation']}"
        assert (await ok(api.get(url)))["stage"] == "certification_applied"
        await wang.page.screenshot(
            path=shots / f"chain-cultivation-refused-{lang}.png", full_page=True
        )
        await wang.act("transition", to="certified", certificate_no="品字标-ZJ-2026-0007")
        cultivation = await ok(api.get(url))
        assert cultivation["stage"] == "certified"
        assert cultivation["certificate_no"] == "品字标-ZJ-2026-0007"
        assert await wang.page.locator("[data-stage-name]").inner_text() == words["certified"]
        await wang.page.screenshot(path=shots / f"chain-cultivation-{lang}.png", full_page=True)

        # the association's person registers it, after a malformed number is refused
        path, url = (
            f"/desk/associations/{world['association']}",
            f"/associations/{world['association']}",
        )
        await xie.open(path)
        for to in ("preparing", "charter_adopted"):
            await xie.act("transition", to=to)
        good = registration_no(3)
        malformed = good[:-1] + ("Y" if good[-1] != "Y" else "0")
        await xie.act("transition", to="registered", registration_no=malformed)
        text, field = await xie.error_beside("transition")
        assert field == "registration_no", text
        kept = xie.form("transition").locator("[name=registration_no]")
        assert await kept.input_value() == malformed
        assert (await ok(api.get(url)))["status"] == "charter_adopted"
        await xie.page.screenshot(
            path=shots / f"chain-association-refused-{lang}.png", full_page=True
        )
        await xie.act("transition", to="registered", registration_no=good)
        association = await ok(api.get(url))
        assert association["status"] == "registered" and association["registration_no"] == good
        assert await xie.page.locator("[data-stage-name]").inner_text() == words["registered"]
        assert await xie.page.locator("[data-registration-no]").inner_text() == good
        await xie.page.screenshot(path=shots / f"chain-association-{lang}.png", full_page=True)

        # the first programme, with its registered association, as the regulator sees it
        await wang.open(f"/desk/programmes/{world['programme']}")
        await wang.page.screenshot(
            path=shots / f"chain-programme-linked-{lang}.png", full_page=True
        )
