"""Lists scoped by JSON membership (a report's enterprises, a programme's associations) work on
the embedded SQLite database as they do on PostgreSQL."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from recall import migrate
from recall.auth.principal import Principal
from recall.db import create_engine, create_sessionmaker
from recall.programmes.access import scope_programmes
from recall.programmes.models import Programme
from recall.reference.models import Industry, Region
from recall.reports.models import DefectReport
from recall.reports.service import scope_reports

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
async def test_json_membership_scopes(database: str, tmp_path, pg_url) -> None:
    if database == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'scopes.db'}"
    else:
        from tests.conftest import create_database, drop_database

        url = await create_database("recall_scopes_" + tmp_path.name[-8:].lower().replace("-", "_"))
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        async with create_sessionmaker(engine)() as session:
            session.add_all(
                [
                    Region(code="330702", name="婺城区"),
                    Industry(code="toys", name="玩具", keywords=[]),
                ]
            )
            await session.flush()
            for n, ents in enumerate((["ent_a"], ["ent_b", "ent_a"], ["ent_c"], [])):
                session.add(
                    DefectReport(
                        id=f"dr_{n}",
                        source="media",
                        product="p",
                        description="d",
                        industry_code="toys",
                        region_code="330702",
                        enterprise_ids=ents,
                    )
                )
            for n, associations in enumerate((["asn_1"], ["asn_2", "asn_1"], [])):
                session.add(
                    Programme(
                        id=f"prg_{n}",
                        title="t",
                        industry_code="toys",
                        stage="hazard_elimination",
                        stage_since=T0,
                        association_ids=associations,
                        workflow_id="w",
                        created_by="x",
                        created_at=T0,
                    )
                )
            await session.commit()
            dialect = session.bind.dialect.name
            enterprise = Principal(name="a", role="enterprise", enterprise_id="ent_a")
            reports = await session.execute(
                scope_reports(select(DefectReport.id), enterprise, dialect).order_by(
                    DefectReport.id
                )
            )
            assert list(reports.scalars()) == ["dr_0", "dr_1"]
            association = Principal(name="x", role="association", association_id="asn_1")
            programmes = await session.execute(
                scope_programmes(select(Programme.id), association, dialect).order_by(Programme.id)
            )
            assert list(programmes.scalars()) == ["prg_0", "prg_1"]
    finally:
        await engine.dispose()
        if database == "postgresql":
            await drop_database(url.rsplit("/", 1)[1])
