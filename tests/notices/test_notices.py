"""Public recall notices (召回公告) on PostgreSQL and the Temporal dev server: one world of cases
built through the API (two recalls whose plan was accepted; a case assessed, one decided, one with
its plan submitted, one decided for no recall), read by someone with no token and no session, as
JSON, as pages in Chinese and English, and as an Atom feed."""

import json
from collections.abc import AsyncIterator
from datetime import datetime
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import text

from recall.models import metadata
from tests.api.helpers import ok, seed
from tests.conftest import make_token
from tests.notices.atom_check import XML_LANG, check_feed, entries
from tests.notices.cases import ACTING_ADMIN, PERSONAL, case_until, enterprise, report

pytestmark = pytest.mark.slow

NOTICE_FIELDS = {
    "number", "title", "product", "enterprises", "industry_code", "region_code", "decision",
    "risk_level", "hazards", "hazard", "remedy", "remedy_text", "what_to_do", "units_affected",
    "correction_rate", "published_at", "updated_at",
}  # fmt: skip


@pytest.fixture(scope="module")
async def world(stack, engine, sessionmaker) -> AsyncIterator[dict]:
    """Empty tables once for the module (as `db` does for a test), then the cases."""
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables if t.name != "counters")
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    token = await make_token(sessionmaker, role="admin", name=ACTING_ADMIN)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=stack["app"]),
        base_url="http://test/api/v1",
        headers={"Authorization": f"Bearer {token}"},
    ) as api:
        seeded = await seed(api)
        first, second = (e["id"] for e in seeded["enterprises"])
        await ok(
            api.post(
                "/industries",
                json={"code": "vacuum-flasks", "name": "保温杯(壶)", "name_en": "Vacuum flasks"},
            ),
            201,
        )
        flask_maker = await enterprise(api, "义乌市恒温杯业有限公司", 11, "330782", "vacuum-flasks")
        magnets = await case_until(api, seeded["report"]["id"], "accepted", title="巴克球误吞案")
        await ok(
            api.post(
                f"/cases/{magnets['id']}/hazards",
                json={"enterprise_id": first, "category": "ingestion", "description": "磁珠过小"},
            ),
            201,
        )
        await ok(
            api.post(
                f"/cases/{magnets['id']}/progress-reports",
                json={"units_corrected": 250, "note": "李四已退款"},
            )
        )
        flasks = await case_until(
            api,
            await report(
                api,
                "不锈钢保温杯 vacuum flask",
                [flask_maker],
                industry="vacuum-flasks",
                region="330782",
                category="burn",
            ),
            "accepted",
            decision="ordered_recall",
            remedy="repair",
            units=500,
        )
        unpublished = {}
        for stage, product in (
            ("assessed", "磁力球 magnetic spheres"),
            ("decided", "磁力片 magnetic tiles"),
            ("planned", "磁力积木 magnetic blocks"),
        ):
            case = await case_until(api, await report(api, product, [second]), stage)
            unpublished[stage] = (case["number"], product)
        no_recall = await case_until(
            api,
            await report(api, "磁力珠 magnetic beads", [second]),
            "decided",
            decision="no_recall",
        )
        unpublished["no_recall"] = (no_recall["number"], "磁力珠 magnetic beads")
        yield {
            "api": api,
            "magnets": await ok(api.get(f"/cases/{magnets['id']}")),
            "flasks": await ok(api.get(f"/cases/{flasks['id']}")),
            "unpublished": unpublished,
        }


@pytest.fixture(scope="module")
async def public(stack) -> AsyncIterator[httpx.AsyncClient]:
    """Anyone: no token, no session."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=stack["app"]), base_url="http://test"
    ) as client:
        yield client


async def notices(public: httpx.AsyncClient, **params) -> list[dict]:
    page = await ok(public.get("/api/v1/recalls", params=params))
    assert page["next_cursor"] is None
    return page["items"]


def numbers(items: list[dict]) -> list[str]:
    return [n["number"] for n in items]


async def test_each_accepted_recall_is_a_notice_newest_first(world, public) -> None:
    magnets, flasks = world["magnets"], world["flasks"]
    items = await notices(public)
    assert numbers(items) == [flasks["number"], magnets["number"]]
    assert all(set(n) == NOTICE_FIELDS for n in items)
    flask, magnet = items
    accepted = [m for m in magnets["milestones"] if m["kind"] == "plan_accepted"]
    assert magnet == {
        "number": magnets["number"],
        "title": "巴克球误吞案",
        "product": "巴克球 magnet balls",
        "enterprises": ["金华市第1磁业有限公司", "金华市第2磁业有限公司"],
        "industry_code": "magnetic-toys",
        "region_code": "330702",
        "decision": "voluntary_recall",
        "risk_level": "serious",
        "hazards": [{"category": "ingestion", "description": "磁珠过小"}],
        "hazard": {
            "zh": "主动召回。风险等级：严重风险。安全隐患：误吞（磁珠过小）。",
            "en": "Voluntary recall. Risk level: serious. Hazards: Ingestion (磁珠过小).",
        },
        "remedy": "refund",
        "remedy_text": {"zh": "退货退款", "en": "Return for a refund"},
        "what_to_do": {
            "zh": "请立即停止使用该产品，并联系生产企业或销售者退货退款。",
            "en": "Stop using the product now and contact the enterprise or the seller to "
            "return it for a refund.",
        },
        "units_affected": 1000,
        "correction_rate": 0.25,
        "published_at": magnet["published_at"],
        "updated_at": magnet["updated_at"],
    }
    published = datetime.fromisoformat(magnet["published_at"])
    assert published == datetime.fromisoformat(accepted[0]["at"])
    assert datetime.fromisoformat(magnet["updated_at"]) == datetime.fromisoformat(
        magnets["updated_at"]
    )
    assert datetime.fromisoformat(magnet["updated_at"]) > published  # the progress report since
    # before the regulator itemises a hazard, the reports' categories say what it is
    assert flask["hazard"]["zh"] == "责令召回。风险等级：严重风险。安全隐患：烫伤/烧伤。"
    assert flask["what_to_do"]["en"].startswith("Stop using the product now")
    assert "free repair" in flask["what_to_do"]["en"] and "免费维修" in flask["what_to_do"]["zh"]
    assert (flask["correction_rate"], flask["units_affected"]) == (None, 500)
    one = await ok(public.get(f"/api/v1/recalls/{magnets['number']}"))
    assert one == magnet


async def test_a_case_whose_plan_is_not_accepted_has_no_notice(world, public) -> None:
    listed = json.dumps(await notices(public), ensure_ascii=False)
    feed = (await public.get("/recalls.atom")).text
    page = (await public.get("/recalls")).text
    for stage, (number, product) in world["unpublished"].items():
        r = await public.get(f"/api/v1/recalls/{number}")
        assert (r.status_code, r.json()["error"]) == (404, "not_found"), stage
        assert (await public.get(f"/recalls/{number}")).status_code == 404, stage
        for answer in (listed, feed, page):
            assert number not in answer and product not in answer, stage
        assert await notices(public, q=product) == [], stage
    assert (await public.get("/api/v1/recalls/RC-1999-000001")).status_code == 404


async def test_searched_by_product_and_enterprise_name(world, public) -> None:
    magnets, flasks = world["magnets"]["number"], world["flasks"]["number"]
    assert numbers(await notices(public, q="magnet balls")) == [magnets]
    assert numbers(await notices(public, q="MAGNET")) == [magnets]  # not the unaccepted ones
    assert numbers(await notices(public, q="保温杯")) == [flasks]
    assert numbers(await notices(public, q="恒温杯业")) == [flasks]  # an enterprise's name
    assert numbers(await notices(public, q="第2磁业")) == [magnets]
    assert numbers(await notices(public, q=magnets)) == [magnets]
    assert numbers(await notices(public, q="误吞案")) == [magnets]  # the title
    assert await notices(public, q="%") == []  # a wildcard is itself
    assert await notices(public, q="张小红") == []  # what a complainant wrote is not searched
    r = await public.get("/api/v1/recalls", params={"q": "magnet\x01"})
    assert (r.status_code, r.json()["field"]) == (422, "q"), r.text


async def test_filtered_by_industry_and_region(world, public) -> None:
    magnets, flasks = world["magnets"]["number"], world["flasks"]["number"]
    assert numbers(await notices(public, industry="vacuum-flasks")) == [flasks]
    assert numbers(await notices(public, region="330702")) == [magnets]
    assert numbers(await notices(public, region="330782", industry="vacuum-flasks")) == [flasks]
    assert await notices(public, region="330782", industry="magnetic-toys") == []
    assert await notices(public, industry="no-such-industry") == []


async def test_a_page_at_a_time(world, public) -> None:
    first = await ok(public.get("/api/v1/recalls", params={"limit": 1}))
    assert numbers(first["items"]) == [world["flasks"]["number"]] and first["next_cursor"]
    second = await ok(
        public.get("/api/v1/recalls", params={"limit": 1, "cursor": first["next_cursor"]})
    )
    assert numbers(second["items"]) == [world["magnets"]["number"]]
    assert second["next_cursor"] is None
    r = await public.get("/api/v1/recalls", params={"cursor": "not-a-cursor"})
    assert (r.status_code, r.json()["field"]) == (422, "cursor"), r.text
    page = await public.get("/recalls", params={"cursor": "not-a-cursor"})
    assert page.status_code == 422 and "data-error" in page.text


async def test_the_pages_in_chinese_and_english(world, public) -> None:
    magnets, flasks = world["magnets"]["number"], world["flasks"]["number"]
    zh = await public.get("/recalls")
    assert zh.status_code == 200 and zh.headers["content-type"].startswith("text/html")
    assert f'data-notice="{flasks}"' in zh.text and f'data-notice="{magnets}"' in zh.text
    assert zh.text.index(flasks) < zh.text.index(magnets)  # newest first
    assert "产品召回公告" in zh.text and "退货退款" in zh.text and "application/atom+xml" in zh.text
    en = await public.get("/recalls", params={"lang": "en"})
    assert "Product recall notices" in en.text and "Return for a refund" in en.text
    assert f'href="/recalls/{magnets}?lang=en"' in en.text
    searched = await public.get("/recalls", params={"q": "保温杯", "lang": "en"})
    assert f'data-notice="{flasks}"' in searched.text and magnets not in searched.text
    assert 'value="保温杯"' in searched.text  # the search is kept in its box
    filtered = await public.get("/recalls", params={"region": "330702"})
    assert magnets in filtered.text and flasks not in filtered.text

    page = await public.get(f"/recalls/{magnets}")
    assert page.status_code == 200
    for shown in ("巴克球 magnet balls", "金华市第1磁业有限公司", "退货退款", "25%", "1000 件"):
        assert shown in page.text, shown
    assert "请立即停止使用该产品，并联系生产企业或销售者退货退款。" in page.text
    assert "误吞（磁珠过小）" in page.text
    page = await public.get(f"/recalls/{flasks}", params={"lang": "en"})
    assert '<html lang="en">' in page.text
    for shown in ("Free repair", "free repair", "Ordered recall", "not reported yet", "500 units"):
        assert shown in page.text, shown
    missing = await public.get("/recalls/RC-1999-000001", params={"lang": "en"})
    assert missing.status_code == 404 and "Not found" in missing.text
    # the dashboard leads to the notices
    dashboard = await public.get("/dashboard")
    assert 'href="/recalls"' in dashboard.text
    assert 'href="/recalls?lang=en"' in (await public.get("/dashboard?lang=en")).text


async def test_the_atom_feed_is_valid_and_every_entry_leads_to_its_page(world, public) -> None:
    magnets, flasks = world["magnets"], world["flasks"]
    answer = await public.get("/recalls.atom")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/atom+xml; charset=utf-8"
    root, problems = check_feed(answer.content)
    assert problems == []
    assert root.get(XML_LANG) == "zh-CN"
    found = entries(root)
    assert [e["title"] for e in found] == [
        f"{flasks['number']} 不锈钢保温杯 vacuum flask",
        f"{magnets['number']} 巴克球 magnet balls",
    ]
    for entry, case in zip(found, (flasks, magnets), strict=True):
        link = urlsplit(entry["href"])
        assert (link.scheme, link.netloc, link.path) == (
            "http",
            "test",
            f"/recalls/{case['number']}",
        )
        page = await public.get(link.path)
        assert page.status_code == 200 and case["number"] in page.text
        assert entry["id"].startswith("tag:test,") and entry["id"].endswith(
            f":/recalls/{case['number']}"
        )
    assert "退货退款" in found[1]["content"] and "<dt>" in found[1]["content"]
    notice = await ok(public.get(f"/api/v1/recalls/{magnets['number']}"))
    assert datetime.fromisoformat(found[1]["published"]) == datetime.fromisoformat(
        notice["published_at"]
    )

    en_root, problems = check_feed((await public.get("/recalls.atom?lang=en")).content)
    assert problems == [] and en_root.get(XML_LANG) == "en"
    en = entries(en_root)
    assert [e["id"] for e in en] == [e["id"] for e in found]  # one notice, one id
    assert en[1]["href"].endswith(f"/recalls/{magnets['number']}?lang=en")
    assert "Return for a refund" in en[1]["content"]

    flask_feed, problems = check_feed(
        (await public.get("/recalls.atom", params={"industry": "vacuum-flasks"})).content
    )
    assert problems == [] and [e["title"] for e in entries(flask_feed)] == [found[0]["title"]]
    empty, problems = check_feed((await public.get("/recalls.atom?q=nothing-like-it")).content)
    assert problems == [] and entries(empty) == []


async def test_no_person_and_no_note_in_any_answer(world, public) -> None:
    magnets = world["magnets"]["number"]
    answers = [
        json.dumps(await notices(public), ensure_ascii=False),
        json.dumps(await ok(public.get(f"/api/v1/recalls/{magnets}")), ensure_ascii=False),
    ]
    for lang in ("zh", "en"):
        for path in ("/recalls", f"/recalls/{magnets}", "/recalls.atom"):
            answers.append((await public.get(path, params={"lang": lang})).text)
    for answer in answers:
        for personal in PERSONAL:
            assert personal not in answer, personal
    for notice in await notices(public):
        assert not {"actor", "note", "summary", "milestones", "reason"} & set(notice)


async def feed_entries(public: httpx.AsyncClient) -> dict[str, dict]:
    root, problems = check_feed((await public.get("/recalls.atom")).content)
    assert problems == []
    return {e["id"]: e for e in entries(root)}


async def test_an_entry_keeps_its_id_when_the_notice_changes(world, public) -> None:
    """Last in the module: it reports progress on the flask recall."""
    api, flasks = world["api"], world["flasks"]
    before = await feed_entries(public)
    await ok(api.post(f"/cases/{flasks['id']}/progress-reports", json={"units_corrected": 100}))
    after = await feed_entries(public)
    assert after.keys() == before.keys()
    changed = [i for i in after if after[i]["updated"] != before[i]["updated"]]
    assert len(changed) == 1 and changed[0].endswith(flasks["number"])
    assert after[changed[0]]["published"] == before[changed[0]]["published"]
    assert (await ok(public.get(f"/api/v1/recalls/{flasks['number']}")))["correction_rate"] == 0.2
