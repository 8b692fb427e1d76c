"""A consumer, not signed in, in a real headless Chromium (the system's, driven by Playwright):
from the dashboard to the recall notices, a search for the product in the search form, the
notice, its remedy and what to do. In Chinese and in English; screenshots of the list and the
notice (in the test's tmp path, or DESK_SCREENSHOTS)."""

import pytest

from tests.api.helpers import seed
from tests.browser import browser
from tests.notices.cases import case_until, report

pytestmark = pytest.mark.slow

SEARCH = {"zh": "巴克球", "en": "magnet balls"}
REMEDY = {"zh": "退货退款", "en": "Return for a refund"}
WHAT_TO_DO = {
    "zh": "请立即停止使用该产品，并联系生产企业或销售者退货退款。",
    "en": "Stop using the product now and contact the enterprise or the seller to return it "
    "for a refund.",
}


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_consumer_finds_a_recall_and_reads_what_to_do(lang, live, api, shots) -> None:
    seeded = await seed(api)
    magnets = await case_until(api, seeded["report"]["id"], "accepted")
    second = seeded["enterprises"][1]["id"]
    blocks = await case_until(
        api, await report(api, "磁力积木 magnetic blocks", [second]), "accepted", remedy="replace"
    )
    suffix = "" if lang == "zh" else "?lang=en"

    async with browser() as new_page:
        page = await new_page()
        await page.goto(f"{live}/dashboard{suffix}")
        async with page.expect_navigation():
            await page.click('a[data-nav="recalls"]')
        assert page.url == f"{live}/recalls{suffix}"
        assert await page.locator("[data-notice]").count() == 2

        form = page.locator('form[data-search="recalls"]')
        await form.locator("input[name=q]").fill(SEARCH[lang])
        async with page.expect_navigation():
            await form.locator("button[type=submit]").click()
        found = page.locator("[data-notice]")
        assert await found.count() == 1
        assert await found.first.get_attribute("data-notice") == magnets["number"]
        assert blocks["number"] not in await page.content()
        await page.screenshot(path=shots / f"recalls-searched-{lang}.png", full_page=True)

        async with page.expect_navigation():
            await found.first.locator("h2 a").click()
        assert page.url == f"{live}/recalls/{magnets['number']}{suffix}"
        assert await page.locator('[data-part="remedy"]').inner_text() == REMEDY[lang]
        assert await page.locator('[data-part="what_to_do"]').inner_text() == WHAT_TO_DO[lang]
        assert await page.locator("h1").inner_text() == "巴克球 magnet balls"
        await page.screenshot(path=shots / f"recall-notice-{lang}.png", full_page=True)
