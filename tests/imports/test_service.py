"""The import service against the migrated PostgreSQL database, on the real captures."""

import asyncio
import copy
import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select, update

from recall.imports.parsers import load_file
from recall.imports.service import (
    OVERSEAS_SOURCE,
    Rejection,
    count_retaggable,
    import_notices,
    retag_reports,
)
from recall.reference.models import Industry
from recall.reports.models import DefectReport

MAGNET_WORD = re.compile(r"(?<![^\W_])magnet", re.IGNORECASE)


async def add_industry(db, code: str, keywords: list[str]) -> None:
    async with db() as session, session.begin():
        session.add(Industry(code=code, name=code, keywords=keywords))


async def set_keywords(db, code: str, keywords: list[str]) -> None:
    async with db() as session, session.begin():
        await session.execute(
            update(Industry).where(Industry.code == code).values(keywords=keywords)
        )


async def cpsc_column(db, column) -> dict[str, object]:
    """A column of every imported CPSC report, by recall number."""
    async with db() as session:
        rows = await session.execute(select(DefectReport.external_key, column))
        return {key.removeprefix("cpsc:"): value for key, value in rows if key.startswith("cpsc:")}


async def industry_by_recall_number(db) -> dict[str, object]:
    return await cpsc_column(db, DefectReport.industry_code)


async def count_reports(db, **filters: object) -> int:
    async with db() as session:
        query = select(func.count()).select_from(DefectReport).filter_by(**filters)
        return (await session.execute(query)).scalar_one()


async def test_both_real_files_import_completely_and_only_once(
    db, cpsc_file: Path, openfda_file: Path
) -> None:
    cpsc = load_file(cpsc_file, "cpsc")
    openfda = load_file(openfda_file, "openfda")

    first_cpsc = await import_notices(db, "cpsc", cpsc)
    first_openfda = await import_notices(db, "openfda", openfda)
    assert (first_cpsc.imported, first_cpsc.skipped, first_cpsc.rejected) == (289, 0, [])
    # Two openFDA records appear twice, word for word: the copies are skipped.
    assert (first_openfda.imported, first_openfda.skipped, first_openfda.rejected) == (560, 2, [])

    again_cpsc = await import_notices(db, "cpsc", cpsc)
    again_openfda = await import_notices(db, "openfda", openfda)
    assert (again_cpsc.imported, again_cpsc.skipped, again_cpsc.rejected) == (0, 289, [])
    assert (again_openfda.imported, again_openfda.skipped, again_openfda.rejected) == (0, 562, [])

    assert await count_reports(db) == 849
    assert await count_reports(db, source=OVERSEAS_SOURCE, created_by="import") == 849
    assert await count_reports(db, industry_code=None) == 849  # no industries exist


async def test_report_fields(db, cpsc_file: Path) -> None:
    await add_industry(db, "clothing", ["sock", "袜"])
    await import_notices(db, "cpsc", load_file(cpsc_file, "cpsc"))
    async with db() as session:
        report = (
            await session.execute(select(DefectReport).filter_by(external_key="cpsc:26435"))
        ).scalar_one()
    assert report.id.startswith("dr_")
    assert report.source == "overseas_recall"
    assert report.product == "32 Degrees Recalls Heated Socks Due to Burn Hazard"
    assert report.description.startswith("This recall involves heated socks")
    assert report.industry_code == "clothing"
    assert report.region_code is None
    assert report.enterprise_ids == []
    # Only the hazard text names the category, and this one is cut before it says "burn".
    assert report.hazard_category is None
    assert report.received_at == datetime(2026, 4, 23, tzinfo=UTC)
    assert report.case_id is None
    assert report.created_by == "import"
    assert report.external["source"] == "cpsc"
    assert report.external["recall_number"] == "26435"
    assert report.external["recall_id"] == 10736
    assert report.external["url"].startswith("https://www.cpsc.gov/Recalls/2026/")
    assert report.external["remedies"] == ["Refund"]
    assert report.external["hazard_text"] == report.external["hazards"][0]

    categories = await cpsc_column(db, DefectReport.hazard_category)
    assert categories["26436"] == "ingestion"  # "... loose magnets posing an ingestio"
    assert categories["26179"] == "fire"  # "The chargers can explode ..."


async def test_magnet_notices_land_in_the_magnetic_toys_industry(
    db, cpsc_file: Path, openfda_file: Path, cpsc_records: list
) -> None:
    await add_industry(db, "magnetic-toys", ["magnet", "磁"])
    await import_notices(db, "cpsc", load_file(cpsc_file, "cpsc"))
    await import_notices(db, "openfda", load_file(openfda_file, "openfda"))

    def texts(r: dict) -> list[str]:
        return [r["Title"], r["Description"], *(h["Name"] for h in r["Hazards"])]

    hazards_say_magnet = {
        r["RecallNumber"]
        for r in cpsc_records
        if any("magnet" in h["Name"].lower() for h in r["Hazards"])
    }
    titled_magnet_ingestion = {
        r["RecallNumber"] for r in cpsc_records if "magnet ingestion" in r["Title"].lower()
    }
    anywhere_says_magnet = {
        r["RecallNumber"] for r in cpsc_records if any(MAGNET_WORD.search(t) for t in texts(r))
    }
    tied = {
        n for n, code in (await industry_by_recall_number(db)).items() if code == "magnetic-toys"
    }

    # The README's "18 magnet ingestion hazards" is the count of notices that mention magnets at
    # all: 15 titles say "Magnet Ingestion", 16 hazard texts mention magnets (one more: magnetic
    # balls under the small-ball ban), and two more notices name magnets only in the title or
    # description (water balloons closed by magnets, a phthalate hazard; magnetic wireless chargers,
    # a fire hazard). The matcher ties all 18, as a regulator reading the rule would expect.
    assert len(titled_magnet_ingestion) == 15
    assert len(hazards_say_magnet) == 16
    assert titled_magnet_ingestion < hazards_say_magnet < tied
    assert tied == anywhere_says_magnet
    assert len(tied) == 18
    assert tied - hazards_say_magnet == {"26295", "26179"}
    # One openFDA report mentions "the magnet" of an MR scanner: keyword matching ties it too.
    assert await count_reports(db, industry_code="magnetic-toys") == 19


async def test_most_hits_then_lowest_code_on_real_notices(db, cpsc_file: Path) -> None:
    # Magnetic wireless chargers (26179): "magnet" hits 4 times, "charger" 4 times: a tie.
    await add_industry(db, "magnetic-toys", ["magnet"])
    await add_industry(db, "chargers", ["charger"])
    await add_industry(db, "wireless", ["wireless"])
    await import_notices(db, "cpsc", load_file(cpsc_file, "cpsc"))
    by_number = await industry_by_recall_number(db)
    assert by_number["26179"] == "chargers"
    assert by_number["26436"] == "magnetic-toys"


async def test_retag_after_adding_a_keyword_reties_earlier_notices(db, cpsc_file: Path) -> None:
    await add_industry(db, "magnetic-toys", ["磁"])
    await import_notices(db, "cpsc", load_file(cpsc_file, "cpsc"))
    assert await count_reports(db, industry_code="magnetic-toys") == 0

    await set_keywords(db, "magnetic-toys", ["磁", "magnet"])
    async with db() as session, session.begin():
        await session.execute(
            update(DefectReport)
            .where(DefectReport.external_key == "cpsc:26436")
            .values(case_id="case_already_open")
        )
    assert await count_retaggable(db) == 288

    progressed: list[int] = []
    result = await retag_reports(db, progress=progressed.append, batch_size=50)
    assert (result.retagged, result.unchanged) == (17, 271)  # 18 magnet notices, one in a case
    assert sum(progressed) == 288
    assert await count_reports(db, industry_code="magnetic-toys") == 17
    assert (await industry_by_recall_number(db))["26436"] is None  # its case keeps it

    again = await retag_reports(db)
    assert (again.retagged, again.unchanged) == (0, 288)

    await set_keywords(db, "magnetic-toys", [])
    undone = await retag_reports(db)
    assert (undone.retagged, undone.unchanged) == (17, 271)
    assert await count_reports(db, industry_code="magnetic-toys") == 0


async def test_retag_matches_the_stored_hazard_text(db) -> None:
    record = {
        "RecallNumber": "99-001",
        "RecallDate": "2026-01-02",
        "Title": "Widget Recalled",
        "Description": "A widget.",
        "Hazards": [{"Name": "Contains lead paint."}],
    }
    await import_notices(db, "cpsc", [record])
    await add_industry(db, "paints", ["paint"])
    result = await retag_reports(db)
    assert (result.retagged, result.unchanged) == (1, 0)
    assert (await industry_by_recall_number(db))["99-001"] == "paints"


async def test_a_rejected_record_is_reported_and_the_rest_still_imported(
    db, cpsc_records: list
) -> None:
    good, other = copy.deepcopy(cpsc_records[0]), copy.deepcopy(cpsc_records[1])
    no_title = copy.deepcopy(cpsc_records[2])
    del no_title["Title"]
    bad_date = copy.deepcopy(cpsc_records[3])
    bad_date["RecallDate"] = "last Tuesday"
    records = [good, no_title, "not a recall", bad_date, copy.deepcopy(good), other]

    progressed: list[int] = []
    result = await import_notices(db, "cpsc", records, progress=progressed.append, batch_size=4)
    assert (result.imported, result.skipped) == (2, 1)
    assert result.rejected == [
        Rejection(1, no_title["RecallNumber"], "missing Title"),
        Rejection(2, None, "not an object but a string"),
        Rejection(3, bad_date["RecallNumber"], "unparsable RecallDate 'last Tuesday'"),
    ]
    assert progressed == [4, 2]
    assert await count_reports(db) == 2


async def test_concurrent_imports_file_each_notice_once(db, cpsc_file: Path) -> None:
    records = load_file(cpsc_file, "cpsc")
    results = await asyncio.gather(
        *(import_notices(db, "cpsc", records, batch_size=25) for _ in range(3))
    )
    assert sum(r.imported for r in results) == 289
    assert sum(r.skipped for r in results) == 2 * 289
    assert await count_reports(db) == 289
