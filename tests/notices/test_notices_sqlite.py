"""The notices' SQL on SQLite, the embedded default (`recall up`): the same read-model rows give
the same notices as on PostgreSQL (the JSON plan, the first acceptance, search, the cursor)."""

from datetime import UTC, datetime, timedelta

import pytest

from recall import migrate
from recall.cases.models import Case, CaseEnterprise, Hazard
from recall.common.models import Milestone
from recall.db import create_engine, create_sessionmaker
from recall.errors import NotFound
from recall.notices import service
from recall.reference.models import Enterprise, Industry, Region
from recall.reports.models import DefectReport

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
PLAN = {"units_affected": 400, "remedy": "replace", "summary": "联系人李四"}


def _case(n: int, stage: str, accepted: bool) -> Case:
    plan = {**PLAN, "accepted_at": (T0 + timedelta(days=n)).isoformat() if accepted else None}
    return Case(
        id=f"case_{n}",
        number=f"RC-2026-00000{n}",
        title=f"磁力玩具 {n}",
        stage=stage,
        industry_code="magnetic-toys",
        region_code="330702",
        enterprise_ids=["ent_1"],
        decision="voluntary_recall",
        risk={"level": "high"},
        plan=plan,
        workflow_id="w",
        created_at=T0,
        updated_at=T0 + timedelta(days=n, hours=1),
    )


def _rows() -> list[list]:
    """Three cases with a recall decision and a plan: two accepted, one not. The first has two
    `plan_accepted` milestones: its notice was published at the first."""
    milestones = [
        Milestone(subject_type="case", subject_id=f"case_{n}", seq=seq, at=T0 + timedelta(days=d),
                  kind="plan_accepted", stage="remediating", actor="regulator:王监管")
        for n, seq, d in ((1, 5, 1), (1, 9, 30), (2, 5, 2))
    ]  # fmt: skip
    return [
        [
            Region(code="330702", name="婺城区"),
            Industry(code="magnetic-toys", name="巴克球", keywords=[]),
        ],
        [
            Enterprise(
                id="ent_1",
                name="金华市磁业有限公司",
                credit_code="X" * 18,
                region_code="330702",
                industry_code="magnetic-toys",
            )
        ],
        [
            _case(1, "remediating", True),
            _case(2, "closed", True),
            _case(3, "recall_planned", False),
        ],
        [CaseEnterprise(case_id=f"case_{n}", enterprise_id="ent_1") for n in (1, 2, 3)],
        [
            DefectReport(
                id=f"rep_{n}",
                source="media",
                product=f"磁力珠 beads {n}",
                description="张小红",
                case_id=f"case_{n}",
                received_at=T0,
            )
            for n in (1, 2, 3)
        ],  # fmt: skip
        [
            Hazard(
                id="hz_1",
                case_id="case_1",
                enterprise_id="ent_1",
                category="fire",
                description="磁体发热",
                status="identified",
                identified_at=T0,
            )
        ],  # fmt: skip
        milestones,
    ]


async def _refused(read) -> str | None:
    try:
        await read
    except NotFound as error:
        return error.detail
    return None


async def _read(url: str) -> dict:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        async with create_sessionmaker(engine)() as session:
            for group in _rows():
                session.add_all(group)
                await session.flush()
            await session.commit()
            everything = dict(q=None, industry=None, region=None, cursor=None)
            first, cursor = await service.list_notices(session, **{**everything, "limit": 1})
            second, last = await service.list_notices(
                session, **{**everything, "limit": 1, "cursor": cursor}
            )
            return {
                "pages": [first, second],
                "last_cursor": last,
                "by_enterprise": await service.list_notices(
                    session, **{**everything, "q": "磁业", "limit": 50}
                ),
                "by_product": await service.list_notices(
                    session, **{**everything, "q": "BEADS 1", "limit": 50}
                ),
                "one": await service.get_notice(session, "RC-2026-000001"),
                "unaccepted": await _refused(service.get_notice(session, "RC-2026-000003")),
            }
    finally:
        await engine.dispose()


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
async def test_the_same_notices_on_both_databases(database: str, tmp_path, pg_url) -> None:
    if database == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'notices.db'}"
    else:
        from tests.conftest import create_database, drop_database

        url = await create_database(
            "recall_notices_" + tmp_path.name[-8:].lower().replace("-", "_")
        )
    try:
        read = await _read(url)
    finally:
        if database == "postgresql":
            await drop_database(url.rsplit("/", 1)[1])
    first, second = read["pages"]
    assert [n["number"] for n in first + second] == ["RC-2026-000002", "RC-2026-000001"]
    assert read["last_cursor"] is None
    assert [n["number"] for n in read["by_enterprise"][0]] == ["RC-2026-000002", "RC-2026-000001"]
    assert [n["number"] for n in read["by_product"][0]] == ["RC-2026-000001"]
    one = read["one"]
    assert one["published_at"] == T0 + timedelta(days=1)  # the first acceptance
    assert one["updated_at"] == T0 + timedelta(days=1, hours=1)
    assert one["product"] == "磁力珠 beads 1" and one["enterprises"] == ["金华市磁业有限公司"]
    assert one["hazard"]["zh"] == "主动召回。风险等级：高风险。安全隐患：火灾（磁体发热）。"
    assert (one["remedy"], one["units_affected"]) == ("replace", 400)
    assert read["unaccepted"] == "no recall notice RC-2026-000003 has been published"
