"""The dashboard pages over HTTP against a known data set: the same figures as /api/v1/dashboard
in both languages, filters in the URL, CSV export, and who sees which cases (public, cookie,
header)."""

import csv
import io

import httpx
import pytest

from recall.accounts.service import disable_account
from tests.accounts.helpers import PASSWORD, hidden, make_account, sign_in
from tests.api.eventually import eventually
from tests.api.helpers import credit_code, ok, seed
from tests.conftest import make_token
from tests.dashboard_page import DashboardPage, api_rows, expected_figures, grouping_rows

FOUND = "2026-01-01T00:00:00+08:00"  # the hazards were found before they were eliminated
JAN, FEB_3, FEB_28 = (
    "2026-01-10T10:00:00+08:00",
    "2026-02-03T00:30:00+08:00",
    "2026-02-28T23:59:00+08:00",
)


async def _eliminate(api: httpx.AsyncClient, case_id: str, hazard_id: str, when: str) -> None:
    await ok(
        api.post(
            f"/cases/{case_id}/hazards/{hazard_id}/elimination",
            json={"evidence": "新工艺", "eliminated_at": when},
        )
    )


async def known_data(api: httpx.AsyncClient) -> dict:
    """婺城区 magnet balls: 4 hazards, 3 eliminated (Jan, Feb, Feb); 义乌市 flasks: 1 eliminated
    (March) in a case that starts a programme."""
    data = await seed(api)
    ents = [e["id"] for e in data["enterprises"]]
    magnets = await ok(
        api.post(
            "/cases",
            json={"defect_report_ids": [data["report"]["id"]], "title": "巴克球吞食风险召回"},
        ),
        201,
    )
    hazards = []
    for i, category in enumerate(["ingestion", "ingestion", "choking", "fire"]):
        hazards.append(
            await ok(
                api.post(
                    f"/cases/{magnets['id']}/hazards",
                    json={
                        "enterprise_id": ents[i % 2],
                        "category": category,
                        "description": f"磁体{i}",
                        "identified_at": FOUND,
                    },
                ),
                201,
            )
        )
    for hazard, when in zip(hazards, [JAN, FEB_3, FEB_28], strict=False):
        await _eliminate(api, magnets["id"], hazard["id"], when)

    await ok(
        api.post(
            "/industries",
            json={"code": "vacuum-flasks", "name": "保温杯(壶)", "name_en": "Vacuum flasks"},
        ),
        201,
    )
    flask_maker = await ok(
        api.post(
            "/enterprises",
            json={
                "name": "义乌市恒温杯业有限公司",
                "credit_code": credit_code("330782", 7),
                "region_code": "330782",
                "industry_code": "vacuum-flasks",
            },
        ),
        201,
    )
    report = await ok(
        api.post(
            "/defect-reports",
            json={
                "source": "consumer_complaint",
                "product": "保温杯",
                "description": "杯盖松脱烫伤",
                "industry_code": "vacuum-flasks",
                "region_code": "330782",
                "enterprise_ids": [flask_maker["id"]],
            },
        ),
        201,
    )
    flasks = await ok(
        api.post("/cases", json={"defect_report_ids": [report["id"]], "title": "保温杯杯盖松脱"}),
        201,
    )
    hazard = await ok(
        api.post(
            f"/cases/{flasks['id']}/hazards",
            json={
                "enterprise_id": flask_maker["id"],
                "category": "burn",
                "description": "杯盖",
                "identified_at": FOUND,
            },
        ),
        201,
    )
    await _eliminate(api, flasks["id"], hazard["id"], "2026-03-05T09:00:00+08:00")
    programme = await ok(
        api.post(
            "/programmes",
            json={
                "industry_code": "vacuum-flasks",
                "case_ids": [flasks["id"]],
                "title": "保温杯产业提升",
            },
        ),
        201,
    )
    await eventually(
        lambda: ok(api.get(f"/programmes/{programme['id']}")),
        lambda p: p["stage"] == "association_formation",
    )
    return {
        "magnets": magnets,
        "flasks": flasks,
        "programme": programme,
        "enterprises": data["enterprises"],
        "flask_maker": flask_maker,
    }


@pytest.fixture
async def web(stack) -> httpx.AsyncClient:
    """A browser-like client at the root of the app: no token, keeps cookies."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=stack["app"]), base_url="http://dashboard.test"
    ) as client:
        yield client


async def page(web: httpx.AsyncClient, status: int = 200, **params: str) -> DashboardPage:
    response = await web.get("/dashboard", params=params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    return DashboardPage(response.text)


async def test_page_shows_the_api_figures_in_both_languages_and_filters_narrow_them(
    api: httpx.AsyncClient, web: httpx.AsyncClient
) -> None:
    await known_data(api)
    root = await web.get("/")
    assert root.status_code in (302, 307) and root.headers["location"] == "/dashboard"

    for params in (
        {},
        {"region": "330702"},
        {"industry": "vacuum-flasks"},
        {"from": "2026-02-01", "to": "2026-02-28"},
    ):
        summary = await ok(web.get("/api/v1/dashboard/summary", params=params))
        by = {
            g: await ok(web.get("/api/v1/dashboard/hazards", params={**params, "group_by": g}))
            for g in ("industry", "region", "category", "month")
        }
        for lang in ("zh", "en"):
            shown = await page(web, **params, lang=lang)
            assert shown.figures == expected_figures(summary), (params, lang)
            for g in ("industry", "region", "category"):
                assert grouping_rows(shown, f"by_{g}") == api_rows(by[g]), (params, g)
            months = {r[0]: (int(r[1]), int(r[2])) for r in shown.rows("by_month")}
            assert api_rows(by["month"]).items() <= months.items()
            assert set(shown.charts) >= {
                "by_month",
                "by_industry",
                "by_region",
                "by_category",
                "funnel",
                "cases_by_stage",
            }
            funnel = {r[0]: int(r[2]) for r in shown.rows("programmes_by_stage")}
            assert funnel == summary["programmes_by_stage"]

    everything = await page(web)
    assert everything.html_lang == "zh-CN"
    assert everything.figures["hazards_eliminated"] == "4"
    assert everything.figures["hazards_open"] == "1"
    eliminated = {r[0]: r[1] for r in everything.rows("by_month") if r[1] != "0"}
    assert eliminated == {"2026-01": "1", "2026-02": "2", "2026-03": "1"}
    assert everything.rows("by_region")[0][:2] == ["330702", "婺城区"]
    assert everything.charts["by_month"].titles == ["按月消除隐患数"]
    by_month = everything.charts["by_month"]
    assert by_month.bars == len(everything.rows("by_month")) and by_month.rects == 3
    english = await page(web, lang="en")
    assert english.html_lang == "en"
    assert english.tables["headline"][0] == ["Code", "Figure", "Value"]
    assert everything.tables["headline"][0] == ["代码", "指标", "数值"]
    assert english.rows("by_category")[0][1] == "Burn"
    assert (await page(web, region="330782")).figures["hazards_eliminated"] == "1"
    assert (await page(web, **{"from": "2026-02-01", "to": "2026-02-27"})).figures[
        "hazards_eliminated"
    ] == "1"

    bad = await web.get("/dashboard", params={"from": "last tuesday", "lang": "en"})
    assert bad.status_code == 422 and "from must be a date" in bad.text
    assert "data-figure" not in bad.text


async def test_csv_export_is_the_page_table_with_a_bom(api, web) -> None:
    await known_data(api)
    params = {"industry": "magnetic-toys", "from": "2026-02-01"}
    summary = await ok(web.get("/api/v1/dashboard/summary", params=params))
    response = await web.get("/dashboard/export/headline.csv", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["代码", "指标", "数值"]
    values = {r[0]: r[2] for r in rows[1:]}
    assert {k: values[k] for k in expected_figures(summary)} == expected_figures(summary)
    assert values["hazards_eliminated"] == "2"
    assert values["standards_published.industry"] == str(summary["standards_published"]["industry"])

    shown = await page(web, **params, lang="en")
    for table in ("by_category", "by_region", "by_month", "programmes_by_stage"):
        response = await web.get(f"/dashboard/export/{table}.csv", params={**params, "lang": "en"})
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[1:] == shown.rows(table), table  # the same figures as the page
        assert rows[0][0] in ("Code", "Month")
    api_groups = await ok(
        web.get("/api/v1/dashboard/hazards", params={**params, "group_by": "category"})
    )
    response = await web.get("/dashboard/export/by_category.csv", params=params)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r[0]: (int(r[2]), int(r[3])) for r in rows[1:]} == api_rows(api_groups)

    assert (await web.get("/dashboard/export/my_cases.csv")).status_code == 404  # signed in only
    assert (await web.get("/dashboard/export/nothing.csv")).status_code == 404
    r = await web.get("/dashboard/export/headline.csv", params={"to": "soon"})
    assert r.status_code == 422 and r.json()["field"] == "to"


async def test_public_sees_aggregates_only_and_signed_in_see_their_own_cases(
    api,
    web,
    db,
) -> None:
    data = await known_data(api)
    magnets, flasks = data["magnets"], data["flasks"]
    secrets = [
        magnets["title"],
        magnets["number"],
        flasks["title"],
        flasks["number"],
        data["enterprises"][0]["name"],
        data["flask_maker"]["name"],
        "test-admin",
    ]

    public = await web.get("/dashboard")
    assert not [s for s in secrets if s in public.text]
    assert "my_cases" not in DashboardPage(public.text).tables
    for path in (
        f"/dashboard/cases/{magnets['id']}",
        "/dashboard/cases/case_nope",
        f"/dashboard/programmes/{data['programme']['id']}",
    ):
        r = await web.get(path)
        assert r.status_code == 404 and "text/html" in r.headers["content-type"]
        assert magnets["title"] not in r.text and flasks["title"] not in r.text

    r = await sign_in(web, "wucheng", "not the password")
    assert r.status_code == 401 and 'name="username"' in r.text and "data-error" in r.text
    assert "recall_session" not in r.headers.get("set-cookie", "")

    await make_account(
        db, username="wucheng", role="regulator", name="婺城区监管员", regions=["330702"]
    )
    login = await web.get("/login?lang=en&next=/dashboard")
    form = {**hidden(login.text, "sign_in"), "username": "wucheng", "password": PASSWORD}
    r = await web.post("/login?lang=en", data={**form, "csrf_token": "forged"})
    assert r.status_code == 403 and "recall_session" not in r.headers.get("set-cookie", "")
    r = await web.post("/login?lang=en", data=form)
    assert r.status_code == 303 and r.headers["location"] == "/dashboard?lang=en"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie

    mine = await web.get("/dashboard")
    shown = DashboardPage(mine.text)
    assert [row[0] for row in shown.rows("my_cases")] == [magnets["number"]]
    assert magnets["title"] in mine.text and flasks["title"] not in mine.text
    assert mine.headers["cache-control"] == "private, no-store"
    assert shown.figures == DashboardPage(public.text).figures  # aggregates stay the same
    case = await web.get(f"/dashboard/cases/{magnets['id']}")
    assert case.status_code == 200
    assert magnets["number"] in case.text and 'data-kind="hazard_eliminated"' in case.text
    assert "消除安全隐患" in case.text and "婺城区" in case.text
    assert (await web.get(f"/dashboard/cases/{flasks['id']}")).status_code == 404
    assert (await web.get(f"/dashboard/programmes/{data['programme']['id']}")).status_code == 404
    csv_rows = (await web.get("/dashboard/export/my_cases.csv")).content.decode("utf-8-sig")
    assert magnets["number"] in csv_rows and flasks["number"] not in csv_rows

    # the JSON API never reads the cookie
    assert (await web.get("/api/v1/cases")).status_code == 401

    signed_in = await web.get("/dashboard")
    assert "婺城区监管员（监管部门）" in signed_in.text and 'href="/desk"' in signed_in.text
    r = await web.post("/logout", data=hidden(signed_in.text, "sign_out"))
    assert r.status_code == 303 and r.headers["location"] == "/login?signed_out=1"
    assert (await web.get(f"/dashboard/cases/{magnets['id']}")).status_code == 404

    # a regulator of 义乌市, by header: its own case and programme, not the other one
    yiwu = await make_token(db, role="regulator", name="义乌监管", regions=["330782"])
    headers = {"Authorization": f"Bearer {yiwu}"}
    mine = DashboardPage((await web.get("/dashboard", headers=headers)).text)
    assert [row[0] for row in mine.rows("my_cases")] == [flasks["number"]]
    assert [row[0] for row in mine.rows("my_programmes")] == ["保温杯产业提升"]
    programme = await web.get(
        f"/dashboard/programmes/{data['programme']['id']}", headers=headers, params={"lang": "en"}
    )
    assert programme.status_code == 200 and "Association formation" in programme.text
    assert flasks["number"] in programme.text and 'data-kind="started"' in programme.text
    assert (await web.get(f"/dashboard/cases/{magnets['id']}", headers=headers)).status_code == 404

    # an enterprise sees the cases that name it
    enterprise = await make_token(
        db, role="enterprise", name="磁业", enterprise_id=data["enterprises"][1]["id"]
    )
    shown = DashboardPage(
        (await web.get("/dashboard", headers={"Authorization": f"Bearer {enterprise}"})).text
    )
    assert [row[0] for row in shown.rows("my_cases")] == [magnets["number"]]

    # a session ended meanwhile (its account disabled): the public view, a note, the cookie gone
    await sign_in(web, "wucheng")
    assert "my_cases" in DashboardPage((await web.get("/dashboard")).text).tables
    async with db() as session:
        await disable_account(session, "wucheng")
    r = await web.get("/dashboard")
    assert r.status_code == 200 and "my_cases" not in DashboardPage(r.text).tables
    assert "登录已失效" in r.text and "recall_session=" in r.headers["set-cookie"]
