"""The dashboard's SQL gives the same figures on SQLite (the embedded default) as on PostgreSQL,
for the same read-model rows."""

from datetime import UTC, datetime, timedelta

import pytest

from recall import migrate
from recall.cases.models import Case, Hazard
from recall.dashboard import service
from recall.dashboard.filters import parse_filter
from recall.db import create_engine, create_sessionmaker
from recall.reference.models import Enterprise, Industry, Region

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _rows() -> list[list]:
    """Reference data, cases, hazards: inserted in that order (no ORM relationships here)."""
    reference = [
        Region(code="330702", name="婺城区"),
        Region(code="330782", name="义乌市"),
        Industry(code="magnetic-toys", name="巴克球", keywords=[]),
    ]
    enterprises = [
        Enterprise(
            id="ent_1",
            name="e",
            credit_code="X" * 18,
            region_code="330702",
            industry_code="magnetic-toys",
        )
    ]
    cases, rows = [], []
    for n, region in enumerate(("330702", "330782")):
        cases.append(
            Case(
                id=f"case_{n}",
                number=f"RC-2026-00000{n}",
                title="t",
                stage="remediating",
                industry_code="magnetic-toys",
                region_code=region,
                workflow_id="w",
                overdue=n == 1,
                created_at=T0,
                updated_at=T0,
            )
        )
    days = [1.5, 3.0, 10.0, 40.0, 2.0]  # median 3.0
    for i, d in enumerate(days):
        rows.append(
            Hazard(
                id=f"hz_{i}",
                case_id=f"case_{i % 2}",
                enterprise_id="ent_1",
                category=("ingestion", "fire")[i % 2],
                description="x",
                status="eliminated",
                industry_code="magnetic-toys",
                region_code=("330702", "330782")[i % 2],
                identified_at=T0,
                eliminated_at=T0 + timedelta(days=d),
                days_to_eliminate=d,
            )
        )
    rows.append(
        Hazard(
            id="hz_open",
            case_id="case_0",
            enterprise_id="ent_1",
            category="fire",
            description="x",
            status="identified",
            industry_code="magnetic-toys",
            region_code="330702",
            identified_at=T0 + timedelta(days=40),
        )
    )
    return [reference, enterprises, cases, rows]


async def _figures(url: str) -> tuple[dict, list, list]:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        async with create_sessionmaker(engine)() as session:
            for group in _rows():
                session.add_all(group)
                await session.flush()
            await session.commit()
            everything = parse_filter(None, None, None, None)
            summary = await service.summary(session, everything)
            months = await service.hazards_by(session, "month", everything)
            regions = await service.hazards_by(
                session, "region", parse_filter(None, None, "2026-01-01", "2026-01-05")
            )
            return summary, months, regions
    finally:
        await engine.dispose()


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
async def test_the_same_figures_on_both_databases(database: str, tmp_path, pg_url) -> None:
    if database == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'dashboard.db'}"
    else:
        from tests.conftest import create_database, drop_database

        url = await create_database("recall_dash_" + tmp_path.name[-8:].lower().replace("-", "_"))
    try:
        summary, months, regions = await _figures(url)
    finally:
        if database == "postgresql":
            await drop_database(url.rsplit("/", 1)[1])
    assert summary["hazards_eliminated"] == 5 and summary["hazards_open"] == 1
    assert summary["median_days_to_eliminate"] == 3.0
    assert summary["overdue_cases"] == 1
    assert summary["cases_by_stage"]["remediating"] == 2
    # eliminations by month in China time; the open hazard in the month it was found
    assert months == [
        {"key": "2026-01", "eliminated": 4, "open": 0},
        {"key": "2026-02", "eliminated": 1, "open": 1},
    ]
    # 1 to 5 January (China time): eliminations after 1.5, 3.0 and 2.0 days
    assert regions == [
        {"key": "330702", "eliminated": 2, "open": 1},
        {"key": "330782", "eliminated": 1, "open": 0},
    ]
