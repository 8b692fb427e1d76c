"""The public dashboard's figures are counted once for all readers and say how old they are:
the JSON and the page on SQLite (the embedded default), no Temporal needed for reads."""

import asyncio
import sqlite3
import time
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest
from sqlalchemy import text

from recall import migrate
from recall.auth.tokens import create_token
from recall.config import Settings
from recall.db import create_engine, create_sessionmaker
from recall.main import create_app
from tests.dashboard_page import DashboardPage
from tests.test_dashboard_sqlite import _rows

MAX_AGE = 0.5
LONG = 60.0  # for tests that must not see a figure grow old on a slow machine
CST = timezone(timedelta(hours=8))


@pytest.fixture
async def served(tmp_path, request):
    """(client, app, database file): the app on a migrated SQLite file with 5 eliminated
    hazards and 1 open, its figures kept for MAX_AGE (or the test's indirect parameter)."""
    path = tmp_path / "recall.db"
    url = f"sqlite+aiosqlite:///{path}"
    engine = create_engine(url)
    await migrate.upgrade(engine)
    async with create_sessionmaker(engine)() as session:
        for group in _rows():
            session.add_all(group)
            await session.flush()
        await session.commit()
    await engine.dispose()
    settings = Settings(
        database_url=url,
        temporal_address="127.0.0.1:9",  # never reached: reads need no Temporal
        dashboard={"max_age_seconds": getattr(request, "param", MAX_AGE)},
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client, app, path


def _reopen_one_elsewhere(path) -> float:
    """Reopen one eliminated hazard as another process would (plain sqlite3: this process's
    engines do not see the commit); the moment it is committed."""
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE hazards SET status = 'reopened', eliminated_at = NULL, "
            "days_to_eliminate = NULL WHERE id = 'hz_4'"
        )
    return time.monotonic()


@pytest.mark.parametrize("served", [LONG], indirect=True)
async def test_the_json_says_when_its_figures_were_counted(served) -> None:
    client, _, _ = served
    before = datetime.now(UTC)
    r = await client.get("/api/v1/dashboard/summary")
    assert r.status_code == 200 and r.json()["hazards_eliminated"] == 5
    as_of = datetime.fromisoformat(r.json()["as_of"])
    assert before - timedelta(seconds=1) <= as_of <= datetime.now(UTC)
    assert r.headers["age"] == "0" and r.headers["cache-control"].startswith("public, max-age=")
    r = await client.get("/api/v1/dashboard/hazards", params={"group_by": "region"})
    assert r.status_code == 200 and r.headers["age"] == "0"
    assert r.json() == [
        {"key": "330702", "eliminated": 3, "open": 1},
        {"key": "330782", "eliminated": 2, "open": 0},
    ]


async def test_a_change_made_elsewhere_shows_within_max_age(served) -> None:
    client, _, path = served
    summary = "/api/v1/dashboard/summary"
    assert (await client.get(summary)).json()["hazards_eliminated"] == 5
    changed = _reopen_one_elsewhere(path)
    # Until the figure is MAX_AGE old it is served as counted; then counted again.
    while (figures := (await client.get(summary)).json())["hazards_eliminated"] == 5:
        assert time.monotonic() - changed < 2 * MAX_AGE + 1, "the change never showed"
        await asyncio.sleep(0.05)
    assert time.monotonic() - changed < 2 * MAX_AGE + 1
    assert figures["hazards_eliminated"] == 4 and figures["hazards_open"] == 2
    page = (await client.get("/dashboard?lang=en")).text
    assert 'data-figure="hazards_eliminated"' in page


@pytest.mark.parametrize("served", [LONG], indirect=True)
async def test_a_change_committed_in_this_process_shows_at_once(served) -> None:
    client, app, _ = served
    summary = "/api/v1/dashboard/summary"
    assert (await client.get(summary)).json()["hazards_open"] == 1
    async with app.state.sessionmaker() as session:  # as the worker of `recall up` writes
        await session.execute(text("UPDATE hazards SET status = 'identified'"))
        await session.commit()
    assert (await client.get(summary)).json()["hazards_open"] == 6


@pytest.mark.parametrize("served", [LONG], indirect=True)
async def test_fifty_readers_at_once_make_one_count(served) -> None:
    client, app, _ = served
    answers = await asyncio.gather(
        *(client.get("/api/v1/dashboard/summary") for _ in range(50)),
        *(client.get("/api/v1/dashboard/hazards?group_by=month") for _ in range(50)),
    )
    assert all(r.status_code == 200 for r in answers)
    cache = app.state.dashboard_figures
    assert cache.counts == 2  # the summary once, the months once
    pages = await asyncio.gather(*(client.get("/dashboard") for _ in range(50)))
    assert {r.text for r in pages} == {pages[0].text}
    assert cache.counts == 2 + 3 + 1  # and the three other groupings and the names, once each


@pytest.mark.parametrize("served", [LONG], indirect=True)
async def test_the_page_says_when_its_figures_were_counted(served) -> None:
    client, _, _ = served
    as_of = datetime.fromisoformat((await client.get("/api/v1/dashboard/summary")).json()["as_of"])
    clock = as_of.astimezone(CST).strftime("%H:%M:%S")
    zh = await client.get("/dashboard")
    assert f"数据更新于 {clock}" in zh.text  # the oldest figure on it: the summary
    assert zh.headers["age"] in ("0", "1") and "max-age" in zh.headers["cache-control"]
    en = await client.get("/dashboard", params={"lang": "en"})
    assert f"Figures as of {clock}" in en.text


@pytest.mark.parametrize("served", [LONG], indirect=True)
async def test_a_signed_in_viewer_is_never_shown_to_another(served) -> None:
    client, app, _ = served
    anonymous = await client.get("/dashboard")
    async with app.state.sessionmaker() as session:
        _, token = await create_token(session, role="admin", name="Regulator Wang")
    mine = await client.get("/dashboard", headers={"Authorization": f"Bearer {token}"})
    assert "Regulator Wang" in mine.text and mine.headers["cache-control"] == "private, no-store"
    assert 'data-table="my_cases"' in mine.text
    again = await client.get("/dashboard")
    assert "Regulator Wang" not in again.text and 'data-table="my_cases"' not in again.text
    shown, before = DashboardPage(again.text), DashboardPage(anonymous.text)
    assert shown.figures == before.figures and shown.tables == before.tables
