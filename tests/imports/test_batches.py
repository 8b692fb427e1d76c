"""Batches as the fast import writes them: new, repeated and filed notices mixed in one batch,
concurrent imports in opposite orders, a batch that fails, and the same on SQLite."""

import asyncio
import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from recall import migrate
from recall.db import create_engine, create_sessionmaker
from recall.imports import writing
from recall.imports.keywords import choose_industry, hazard_category
from recall.imports.parsers import MAX_TEXT_CHARS, RecordRejected, load_file, parse_record
from recall.imports.service import Rejection, import_notices, matched_texts
from recall.reference.models import Industry
from recall.reports.models import DefectReport

RECEIVED = datetime(2026, 1, 2, tzinfo=UTC)
KEYWORDS = {"magnetic-toys": ["magnet", "磁"], "chargers": ["charger"], "toys": ["toy"]}


async def add_industries(db) -> None:
    async with db() as session, session.begin():
        for code, keywords in KEYWORDS.items():
            session.add(Industry(code=code, name=code, keywords=keywords))


async def reports(db) -> dict[str, DefectReport]:
    async with db() as session:
        rows = (await session.execute(select(DefectReport))).scalars().all()
    return {row.external_key: row for row in rows}


def expected_tags(record: dict) -> tuple[str | None, str | None]:
    """Industry and hazard category by the slow, one-notice-at-a-time functions."""
    notice = parse_record(record, "cpsc")
    texts = matched_texts(notice.product, notice.description, notice.hazard_text)
    return choose_industry(texts, KEYWORDS), hazard_category(notice.hazard_text)


async def test_one_batch_mixing_new_repeated_filed_and_rejected_notices(
    db, cpsc_records: list
) -> None:
    await add_industries(db)
    filed_before = cpsc_records[:30]
    await import_notices(db, "cpsc", filed_before)
    bad = copy.deepcopy(cpsc_records[40])
    bad["RecallDate"] = "soon"
    # new, filed, repeated in the file, rejected: interleaved, in batches of 7
    records = []
    for i in range(30):
        records += [cpsc_records[100 + i], cpsc_records[i]]
        if i % 5 == 0:
            records.append(cpsc_records[100 + i])
    records.insert(11, bad)
    records.insert(3, 17)
    progressed: list[int] = []
    result = await import_notices(db, "cpsc", records, progress=progressed.append, batch_size=7)

    assert result.imported == 30
    assert result.skipped == 30 + 6  # filed before, repeated within the file
    assert result.rejected == [
        Rejection(3, None, "not an object but a number"),
        Rejection(12, bad["RecallNumber"], "unparsable RecallDate 'soon'"),
    ]
    assert sum(progressed) == len(records) and all(n == 7 for n in progressed[:-1])
    filed = await reports(db)
    assert len(filed) == 60
    for record in cpsc_records[100:130]:
        report = filed[f"cpsc:{record['RecallNumber']}"]
        assert (report.industry_code, report.hazard_category) == expected_tags(record)
        assert report.created_by == "import" and report.case_id is None
        assert report.region_code is None and report.claimed_at is None
        assert report.enterprise_ids == []


async def test_real_file_tags_as_the_one_notice_functions_do(db, cpsc_records: list) -> None:
    await add_industries(db)
    await import_notices(db, "cpsc", cpsc_records)
    filed = await reports(db)
    for record in cpsc_records:
        report = filed[f"cpsc:{record['RecallNumber']}"]
        assert (report.industry_code, report.hazard_category) == expected_tags(record)
        assert report.external == parse_record(record, "cpsc").external


async def test_concurrent_imports_in_opposite_orders_file_each_notice_once(
    db, cpsc_records: list
) -> None:
    forward, backward = list(cpsc_records), list(reversed(cpsc_records))
    results = await asyncio.gather(
        import_notices(db, "cpsc", forward, batch_size=40),
        import_notices(db, "cpsc", backward, batch_size=40),
        import_notices(db, "cpsc", forward[::2] + forward[1::2], batch_size=33),
    )
    assert sum(r.imported for r in results) == 289
    assert sum(r.skipped for r in results) == 2 * 289
    assert len(await reports(db)) == 289


async def test_a_batch_that_fails_is_not_written_and_its_error_surfaces(
    db, cpsc_records: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    insert_rows = writing.insert_rows
    calls = 0

    async def fails_second(session, rows, shared):
        nonlocal calls
        calls += 1
        inserted = await insert_rows(session, rows, shared)
        if calls == 2:
            raise RuntimeError("the disk is full")
        return inserted

    monkeypatch.setattr(writing, "insert_rows", fails_second)
    with pytest.raises(RuntimeError, match="the disk is full"):
        await import_notices(db, "cpsc", cpsc_records, batch_size=50)
    assert len(await reports(db)) == 50  # the first batch; the second rolled back

    monkeypatch.setattr(writing, "insert_rows", insert_rows)
    again = await import_notices(db, "cpsc", cpsc_records, batch_size=50)
    assert (again.imported, again.skipped) == (239, 50)


async def test_sqlite_imports_once_and_skips_filed_notices(
    tmp_path: Path, cpsc_file: Path, openfda_file: Path
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'imports.db'}")
    try:
        await migrate.upgrade(engine)
        db = create_sessionmaker(engine)
        await add_industries(db)
        cpsc, openfda = load_file(cpsc_file, "cpsc"), load_file(openfda_file, "openfda")
        first = await import_notices(db, "cpsc", cpsc[:100], batch_size=30)
        assert (first.imported, first.skipped) == (100, 0)
        both = await asyncio.gather(
            import_notices(db, "cpsc", cpsc, batch_size=30),
            import_notices(db, "cpsc", cpsc, batch_size=30),
        )
        assert sum(r.imported for r in both) == 189
        assert sum(r.skipped for r in both) == 100 + 289
        fda = await import_notices(db, "openfda", openfda)
        assert (fda.imported, fda.skipped, fda.rejected) == (560, 2, [])
        filed = await reports(db)
        assert len(filed) == 849
        for record in cpsc:
            report = filed[f"cpsc:{record['RecallNumber']}"]
            assert (report.industry_code, report.hazard_category) == expected_tags(record)
        async with db() as session:
            total = select(func.count()).select_from(DefectReport)
            assert (await session.execute(total)).scalar_one() == 849
    finally:
        await engine.dispose()


async def count_in_insert(db, cpsc_records: list) -> None:
    """insert_rows counts only the rows it inserted, not those ON CONFLICT skipped."""
    first = await import_notices(db, "cpsc", cpsc_records[:10])
    assert first.imported == 10
    rows = [
        {"id": f"dr_conflict_{i}", "product": "p", "description": "d", "received_at": RECEIVED}
        | {"external_key": f"cpsc:{r['RecallNumber']}", "external": {"n": i}}
        for i, r in enumerate(cpsc_records[5:15])
    ]
    shared = {"source": "overseas_recall", "enterprise_ids": [], "created_by": "import"}
    async with db() as session, session.begin():
        inserted = await writing.insert_rows(session, rows, shared | {"created_at": RECEIVED})
        assert inserted == 5
    filed = await reports(db)
    assert len(filed) == 15
    assert filed[rows[-1]["external_key"]].external == {"n": 9}
    assert filed[rows[-1]["external_key"]].enterprise_ids == []
    assert filed[rows[-1]["external_key"]].created_at == RECEIVED


async def test_insert_counts_only_the_rows_it_inserted(db, cpsc_records: list) -> None:
    await count_in_insert(db, cpsc_records)


async def test_insert_counts_only_the_rows_it_inserted_on_sqlite(
    tmp_path: Path, cpsc_records: list
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'conflicts.db'}")
    try:
        await migrate.upgrade(engine)
        await count_in_insert(create_sessionmaker(engine), cpsc_records)
    finally:
        await engine.dispose()


async def test_filed_notices_after_new_ones_are_skipped_all_the_same(
    db, cpsc_records: list
) -> None:
    """After a batch without filed notices the next one is not looked up first: its filed
    notices are skipped by ON CONFLICT, counted the same, and the look-ups resume."""
    await import_notices(db, "cpsc", cpsc_records[150:])
    progressed: list[int] = []
    result = await import_notices(
        db, "cpsc", cpsc_records, batch_size=50, progress=progressed.append
    )
    assert (result.imported, result.skipped, result.rejected) == (150, 139, [])
    assert progressed == [50] * 5 + [39]
    assert len(await reports(db)) == 289
    again = await import_notices(db, "cpsc", cpsc_records, batch_size=50)
    assert (again.imported, again.skipped) == (0, 289)


def test_a_record_with_an_oversized_field_is_refused_naming_it() -> None:
    """A notice is a few sentences: a record with a huge text, name or list is refused, so no
    listing ever carries it."""
    data = Path(__file__).parents[1] / "data" / "cpsc-recalls-2025-10_2026-04.json"
    record = json.loads(data.read_text())[0]
    assert parse_record(record, "cpsc").description  # as it is, it is filed
    cases = {
        "Description": {"Description": "x" * (MAX_TEXT_CHARS + 1)},
        "URL": {"URL": "https://example.org/" + "a" * 600},
        "Hazards": {"Hazards": [{"Name": "h"}] * 101},
        "Manufacturers": {"Manufacturers": [{"Name": "m" * 501}]},
        "RecallID": {"RecallID": "9" * 501},
    }
    for field, change in cases.items():
        with pytest.raises(RecordRejected, match=field):
            parse_record({**record, **change}, "cpsc")
