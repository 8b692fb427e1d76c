"""`q=` over defect reports and cases finds what an ILIKE '%q%' finds (q's `%`, `_` and `\\`
taken literally), in the same order and pages, on PostgreSQL through its text search indexes
and on SQLite without them."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import or_, select, text

from recall import migrate
from recall.auth.principal import Principal
from recall.cases.models import Case
from recall.cases.service import list_cases
from recall.common.search import ESCAPE, has_trigram, like_pattern, query_grams
from recall.db import create_engine, create_sessionmaker
from recall.reference.models import Industry, Region
from recall.reports.models import DefectReport
from recall.reports.service import list_reports
from tests.conftest import create_database, drop_database

T0 = datetime(2026, 1, 1, tzinfo=UTC)
ADMIN = Principal(name="admin")

# (product, description): Latin in every case, Chinese, both, wildcards and what only a join
# of the two columns would hold ("...ab" + "cd..." holds "bc" only across them).
TEXTS = [
    ("Magnet Ball Set", "Small magnets can be swallowed"),
    ("MAGNETIC building tiles", "磁铁脱落，儿童吞食"),
    ("磁力珠玩具", "强磁体直径小于小零件圆筒"),
    ("电动自行车", "电池组无过充保护，充电过程中起火"),
    ("儿童服装", "绳带过长，存在缠绕风险"),
    ("儿童服装 Kids hoodie", "Drawstring 过长; strangulation hazard"),
    ("玩具", "磁"),
    ("École bag", "Straps ÉCOLE 1.5 mm"),
    ("50% off toy", "sold at a 50%_discount"),
    ("a_b widget", "path C:\\tmp\\x, 1.5 mm"),
    ("toy ab", "cd toy"),
    ("plain kettle", "boils water\nb\nc"),
    ("保温杯", "a b c 外壁烫伤"),
]
QUERIES = [
    "magnet", "MAGNET", "mAgNeT", "Magnetic", "swallowed", "tiles",
    "磁", "玩", "磁铁", "玩具", "儿童服装", "磁力珠玩具", "磁铁玩", "烫伤",
    "%", "_", "50%", "%_", "a_b", "\\", "C:\\tmp", "1.5", "a b", "1.5 mm",
    "é", "École", "éCOLE", "ÉCOLE",
    "bc", "b\nc", "\n", "ab", "y", "zz", "zzqxw", "toy", "Kids 过长",
]  # fmt: skip


def _fold(dialect: str):
    """How each database compares without regard to case: PostgreSQL lowers every letter,
    SQLite only A-Z."""
    if dialect == "postgresql":
        return str.lower
    return lambda s: "".join(c.lower() if c.isascii() else c for c in s)


def _expected_reports(rows: list[DefectReport], q: str, dialect: str) -> list[str]:
    fold = _fold(dialect)
    hits = [r for r in rows if fold(q) in fold(r.product) or fold(q) in fold(r.description)]
    return [r.id for r in sorted(hits, key=lambda r: (r.created_at, r.id), reverse=True)]


async def _all_pages(fetch, limit: int) -> list[str]:
    ids, cursor = [], None
    while True:
        items, cursor = await fetch(limit, cursor)
        ids += [item.id for item in items]
        if cursor is None:
            return ids


@pytest.fixture(params=["sqlite", "postgresql"])
async def sessionmaker_of(request, tmp_path):
    """A migrated database of its own, filled with TEXTS many times over."""
    name = None
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'search.db'}"
    else:
        name = f"recall_test_search_{uuid.uuid4().hex[:8]}"
        url = await create_database(name)
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
            for n in range(6 * len(TEXTS)):
                product, description = TEXTS[n % len(TEXTS)]
                moment = T0 + timedelta(minutes=n // 3)  # ties in created_at: the id decides
                session.add(
                    DefectReport(
                        id=f"dr_{n:03d}",
                        source="media",
                        product=product,
                        description=description,
                        region_code="330702" if n % 2 else None,
                        created_at=moment,
                        received_at=moment,
                    )
                )
                session.add(
                    Case(
                        id=f"case_{n:03d}",
                        number=f"RC-2026-{n:06d}",
                        title=product,
                        stage="reported",
                        region_code="330702",
                        workflow_id=f"case-{n}",
                        created_at=moment,
                        updated_at=moment,
                    )
                )
            await session.commit()
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()
        if name:
            await drop_database(name)


async def _reports(session, q: str, limit: int, cursor=None, principal=ADMIN, region=None):
    return await list_reports(
        session=session,
        principal=principal,
        source=None,
        industry=None,
        region=region,
        q=q,
        limit=limit,
        cursor=cursor,
    )


async def _as_ilike_finds(session, q: str) -> list[str]:
    """Today's query, run as it is: an ILIKE on each column with q's wildcards escaped."""
    pattern = like_pattern(q)
    stmt = (
        select(DefectReport.id)
        .where(
            or_(
                DefectReport.product.ilike(pattern, escape=ESCAPE),
                DefectReport.description.ilike(pattern, escape=ESCAPE),
            )
        )
        .order_by(DefectReport.created_at.desc(), DefectReport.id.desc())
    )
    return list((await session.execute(stmt)).scalars())


async def _plans(session, q: str) -> str:
    """The plan of the search's statement as PostgreSQL would run it on a big table."""
    from recall.reports.service import report_matches

    stmt = select(DefectReport.id).where(report_matches("postgresql", q))
    compiled = stmt.compile(session.bind, compile_kwargs={"literal_binds": True})
    rows = await session.execute(text(f"EXPLAIN {compiled}"))
    return "\n".join(rows.scalars())


@pytest.mark.parametrize("how", ["planned", "through the indexes"])
async def test_reports_found_are_those_an_ilike_finds_in_the_same_pages(
    sessionmaker_of, how: str
) -> None:
    async with sessionmaker_of() as session:
        dialect = session.bind.dialect.name
        if how == "through the indexes":
            if dialect != "postgresql":
                pytest.skip("SQLite has no text search index")
            # as on a million rows: no pass over the table, the GIN indexes find candidates
            await session.execute(text("SET enable_seqscan = off"))
            await session.execute(text("SET enable_indexscan = off"))
        rows = list((await session.execute(select(DefectReport))).scalars())
        wrong = []
        for q in QUERIES:
            expected = _expected_reports(rows, q, dialect)
            assert expected == await _as_ilike_finds(session, q) or dialect == "postgresql", q
            found = await _all_pages(
                lambda limit, cursor, q=q: _reports(session, q, limit, cursor), 7
            )
            if found != expected:
                wrong.append(f"q={q!r}: {len(found)} found, {len(expected)} expected")
            if dialect == "postgresql" and found != await _as_ilike_finds(session, q):
                wrong.append(f"q={q!r}: not what ILIKE finds")
        assert not wrong, "\n".join(wrong)
        assert len(_expected_reports(rows, "50%", dialect)) == 6  # not every "50..." nor all
        assert _expected_reports(rows, "bc", dialect) == []  # only across the two columns
        if how == "through the indexes":
            for q, index in [
                ("magnet", "ix_defect_reports_product_trgm"),
                ("儿童服装", "ix_defect_reports_description_trgm"),
                ("磁", "ix_defect_reports_grams"),
                ("玩具", "ix_defect_reports_grams"),
            ]:
                assert index in await _plans(session, q), q


async def test_a_search_with_a_filter_and_a_scope_pages_as_without_q(sessionmaker_of) -> None:
    regulator = Principal(name="r", role="regulator", regions=("330702",))
    async with sessionmaker_of() as session:
        dialect = session.bind.dialect.name
        rows = list((await session.execute(select(DefectReport))).scalars())
        for q in ("磁", "玩具", "magnet", "50%"):
            everything = _expected_reports(rows, q, dialect)
            found = await _all_pages(  # its region's reports and those of no region: all
                lambda limit, cursor, q=q: _reports(session, q, limit, cursor, regulator), 4
            )
            assert found == everything, q
            in_region = [i for i in everything if int(i[3:]) % 2]
            found = await _all_pages(
                lambda limit, cursor, q=q: _reports(session, q, limit, cursor, region="330702"), 4
            )
            assert found == in_region, q


async def test_cases_found_are_those_an_ilike_finds(sessionmaker_of) -> None:
    async with sessionmaker_of() as session:
        fold = _fold(session.bind.dialect.name)
        cases = list((await session.execute(select(Case))).scalars())
        for q in (
            "RC-2026-00001",
            "000007",
            "磁",
            "玩具",
            "儿童服装",
            "magnet",
            "50%",
            "a_b",
            "zz",
        ):
            expected = [
                c.id
                for c in sorted(cases, key=lambda c: (c.created_at, c.id), reverse=True)
                if fold(q) in fold(c.title) or fold(q) in fold(c.number)
            ]

            async def fetch(limit, cursor, q=q):
                return await list_cases(
                    session=session,
                    principal=ADMIN,
                    stage=None,
                    industry=None,
                    region=None,
                    overdue=None,
                    q=q,
                    limit=limit,
                    cursor=cursor,
                )

            assert await _all_pages(fetch, 5) == expected, q


def test_wildcards_are_taken_literally() -> None:
    assert like_pattern("50%") == "%50\\%%"
    assert like_pattern("a_b") == "%a\\_b%"
    assert like_pattern("C:\\x") == "%C:\\\\x%"


def test_which_index_a_q_needs() -> None:
    assert has_trigram("magnet") and has_trigram("儿童服装") and has_trigram("RC-2026")
    assert not has_trigram("磁铁") and not has_trigram("1.5") and not has_trigram("a b c")
    assert query_grams("磁") == ["磁"]
    assert query_grams("磁铁") == ["磁铁"]
    assert query_grams("a.a.") == ["a.", ".a"]
