"""The dashboard in a real headless Chromium (driven by Playwright): the app served by uvicorn on a
free port (on the same Temporal dev server and PostgreSQL as the API tests), demo-like data loaded
through the API, then the page read back from the browser's DOM and compared with the JSON API, in
Chinese and English; a sign-in through the /login form; screenshots of each page (in the test's
tmp path, or where DASHBOARD_SCREENSHOTS points)."""

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx
import pytest

from tests.accounts.helpers import PASSWORD, make_account
from tests.browser import chromium, goto, submit
from tests.conftest import make_token
from tests.dashboard_data import load_dashboard_demo
from tests.dashboard_page import DashboardPage, api_rows, expected_figures, grouping_rows

if TYPE_CHECKING:
    from playwright.async_api import Page

pytestmark = pytest.mark.slow
CHARTS = ("by_month", "by_industry", "by_region", "by_category", "funnel", "cases_by_stage")


@pytest.fixture
async def page() -> AsyncIterator["Page"]:
    """A page in a fresh headless Chromium; skips (fails under CI) when Chromium is missing."""
    async with chromium() as page:
        yield page


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    where = Path(os.environ.get("DASHBOARD_SCREENSHOTS") or tmp_path / "screenshots")
    where.mkdir(parents=True, exist_ok=True)
    return where


async def api_figures(http: httpx.AsyncClient, **params: str) -> tuple[dict, dict]:
    summary = (await http.get("/dashboard/summary", params=params)).json()
    groups = {
        g: (await http.get("/dashboard/hazards", params={**params, "group_by": g})).json()
        for g in ("industry", "region", "category", "month")
    }
    return summary, groups


def assert_same_as_api(page: DashboardPage, summary: dict, groups: dict) -> None:
    assert page.figures == expected_figures(summary)
    for g in ("industry", "region", "category"):
        assert grouping_rows(page, f"by_{g}") == api_rows(groups[g]), g
    months = {r[0]: (int(r[1]), int(r[2])) for r in page.rows("by_month")}
    assert api_rows(groups["month"]).items() <= months.items()
    assert {r[0]: int(r[2]) for r in page.rows("programmes_by_stage")} == summary[
        "programmes_by_stage"
    ]
    for key in CHARTS:
        chart = page.charts[key]
        assert chart.svgs == 1 and chart.titles, key  # one accessible SVG per chart
        assert chart.bars > 0 and chart.rects > 0, key  # with bars drawn


async def test_dashboard_in_chromium_shows_the_api_figures(page, live, db, shots) -> None:
    admin = await make_token(db, role="admin", name="demo-admin")
    async with httpx.AsyncClient(
        base_url=f"{live}/api/v1",
        trust_env=False,
        timeout=30,
        headers={"Authorization": f"Bearer {admin}"},
    ) as http:
        loaded = await load_dashboard_demo(http)
        summary, groups = await api_figures(http)
        magnets = await api_figures(http, industry="magnetic-toys", **{"from": "2020-01-01"})
    assert summary["associations_formed"] == 3 and summary["brand_enterprises_certified"] == 3
    assert summary["standards_published"]["industry"] == 2
    assert summary["standards_published"]["zhejiang_made"] == 1
    assert summary["hazards_eliminated"] > 0 and summary["hazards_open"] > 0

    zh = DashboardPage(await goto(page, f"{live}/"))  # / redirects to the page
    assert urlsplit(page.url).path == "/dashboard"
    assert zh.html_lang == "zh-CN" and zh.tables["headline"][0] == ["代码", "指标", "数值"]
    assert_same_as_api(zh, summary, groups)
    assert "消除安全隐患" in await page.inner_text("body")
    await page.screenshot(path=shots / "dashboard-zh.png", full_page=True)

    en = DashboardPage(await goto(page, f"{live}/dashboard?lang=en"))
    assert en.html_lang == "en" and en.tables["headline"][0] == ["Code", "Figure", "Value"]
    assert_same_as_api(en, summary, groups)
    assert "Hazards eliminated" in await page.inner_text("body")
    await page.screenshot(path=shots / "dashboard-en.png", full_page=True)

    # the filter form puts its choices in the URL
    await page.select_option("form.filters select[name=industry]", "magnetic-toys")
    filtered = DashboardPage(await submit(page, "form.filters", **{"from": "2020-01-01"}))
    query = urlsplit(page.url).query
    assert "industry=magnetic-toys" in query and "from=2020-01-01" in query
    assert "lang=en" in query
    assert_same_as_api(filtered, *magnets)
    assert filtered.figures != en.figures  # the filter narrowed something

    # sign in through the form: an HttpOnly, SameSite=Lax cookie, own cases listed
    await make_account(
        db, username="wucheng", role="regulator", name="婺城区市场监管局", regions=["330702"]
    )
    await goto(page, f"{live}/login?next=/dashboard")
    mine = DashboardPage(
        await submit(page, "form[data-action=sign_in]", username="wucheng", password=PASSWORD)
    )
    assert urlsplit(page.url).path == "/dashboard"
    (cookie,) = [c for c in await page.context.cookies() if c["name"] == "recall_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert await page.evaluate("document.cookie") == ""
    assert loaded["pilot_case"]["number"] in [row[0] for row in mine.rows("my_cases")]
    assert mine.figures == zh.figures
    await page.screenshot(path=shots / "dashboard-signed-in.png", full_page=True)

    case = await goto(page, f"{live}/dashboard/cases/{loaded['pilot_case']['id']}")
    assert loaded["pilot_case"]["number"] in case and 'data-kind="verified"' in case
    await page.screenshot(path=shots / "case-zh.png", full_page=True)
    programme = await goto(page, f"{live}/dashboard/programmes/{loaded['programme']}?lang=en")
    assert "Brand cultivation" in programme and 'data-kind="completed"' in programme
    await page.screenshot(path=shots / "programme-en.png", full_page=True)

    await goto(page, f"{live}/dashboard")
    await submit(page, "form[data-action=sign_out]")
    assert urlsplit(page.url).path == "/login"
    public = DashboardPage(await goto(page, f"{live}/dashboard"))
    assert "my_cases" not in public.tables
    not_found = await goto(page, f"{live}/dashboard/cases/{loaded['pilot_case']['id']}")
    assert loaded["pilot_case"]["number"] not in not_found
    print(f"screenshots in {shots}")
