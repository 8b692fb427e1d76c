"""Filing overseas recall notices as defect reports, and tying them again to industries later.

Usable from the CLI and the API alike: give it a session factory and parsed records.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from recall.common.sql import insert_ignore
from recall.common.types import new_id, utcnow
from recall.imports.keywords import choose_industry, hazard_category
from recall.imports.parsers import (
    SOURCES,
    Notice,
    RecordRejected,
    Source,
    parse_record,
    recall_number_of,
)
from recall.reference.models import Industry
from recall.reports.models import DefectReport

OVERSEAS_SOURCE = "overseas_recall"
BATCH_SIZE = 200

SessionFactory = async_sessionmaker[AsyncSession]
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Rejection:
    index: int
    key: str | None  # the record's recall number, when it has one
    reason: str


@dataclass
class ImportResult:
    imported: int = 0
    skipped: int = 0
    rejected: list[Rejection] = field(default_factory=list)


@dataclass
class RetagResult:
    retagged: int = 0
    unchanged: int = 0


async def industry_keywords(session: AsyncSession) -> dict[str, list[str]]:
    rows = await session.execute(select(Industry.code, Industry.keywords))
    return {code: list(keywords or []) for code, keywords in rows}


def matched_texts(product: str, description: str, hazard_text: str | None) -> tuple[str, ...]:
    """The texts an industry's keywords are matched against: title, description and hazard."""
    return (product, description, hazard_text or "")


async def import_notices(
    session_factory: SessionFactory,
    source: Source,
    records: Sequence[Any],
    *,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportResult:
    """File each record as a defect report; one already filed (here or before) is skipped.

    Each batch is its own transaction, inserted with ON CONFLICT DO NOTHING on external_key, so a
    concurrent import of the same notices cannot file one twice: the loser counts it as skipped.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    async with session_factory() as session:
        industries = await industry_keywords(session)
    result = ImportResult()
    seen_keys: set[str] = set()
    for start in range(0, len(records), batch_size):
        chunk = records[start : start + batch_size]
        rows = []
        for index, record in enumerate(chunk, start):
            try:
                notice = parse_record(record, source)
            except RecordRejected as exc:
                number = recall_number_of(record, source)
                result.rejected.append(Rejection(index, number, str(exc)))
                continue
            if notice.external_key in seen_keys:
                result.skipped += 1
                continue
            seen_keys.add(notice.external_key)
            rows.append(_report_row(notice, industries))
        if rows:
            inserted = await _insert_new(session_factory, rows)
            result.imported += inserted
            result.skipped += len(rows) - inserted
        if progress:
            progress(len(chunk))
    return result


def _report_row(notice: Notice, industries: dict[str, list[str]]) -> dict[str, Any]:
    texts = matched_texts(notice.product, notice.description, notice.hazard_text)
    now = utcnow()
    return {
        "id": new_id("dr"),
        "source": OVERSEAS_SOURCE,
        "product": notice.product,
        "description": notice.description,
        "industry_code": choose_industry(texts, industries),
        "region_code": None,
        "enterprise_ids": [],
        "hazard_category": hazard_category(notice.hazard_text),
        "received_at": notice.received_at,
        "external_key": notice.external_key,
        "external": notice.external,
        "case_id": None,
        "created_by": "import",
        "created_at": now,
    }


async def _insert_new(session_factory: SessionFactory, rows: list[dict[str, Any]]) -> int:
    # Key order makes concurrent imports take the unique-index locks in one order: no deadlock.
    rows = sorted(rows, key=lambda row: row["external_key"])
    async with session_factory() as session, session.begin():
        build = insert_ignore(session, DefectReport, ["external_key"])
        inserted = await session.execute(build(rows).returning(DefectReport.id))
        return len(inserted.all())


def _retaggable() -> tuple:
    return (DefectReport.source == OVERSEAS_SOURCE, DefectReport.case_id.is_(None))


async def count_retaggable(session_factory: SessionFactory) -> int:
    async with session_factory() as session:
        query = select(func.count()).select_from(DefectReport).where(*_retaggable())
        return (await session.execute(query)).scalar_one()


async def retag_reports(
    session_factory: SessionFactory,
    *,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> RetagResult:
    """Tie every overseas report without a case again to the industry its texts match now.

    Reports already in a case keep their industry and count as neither retagged nor unchanged.
    """
    async with session_factory() as session:
        industries = await industry_keywords(session)
    result = RetagResult()
    after = ""
    while True:
        async with session_factory() as session, session.begin():
            query = (
                select(
                    DefectReport.id,
                    DefectReport.product,
                    DefectReport.description,
                    DefectReport.external,
                    DefectReport.industry_code,
                )
                .where(*_retaggable(), DefectReport.id > after)
                .order_by(DefectReport.id)
                .limit(batch_size)
            )
            rows = (await session.execute(query)).all()
            if not rows:
                break
            after = rows[-1].id
            moves: dict[str | None, list[str]] = defaultdict(list)
            for row in rows:
                hazard_text = (row.external or {}).get("hazard_text")
                texts = matched_texts(row.product, row.description, hazard_text)
                code = choose_industry(texts, industries)
                if code != row.industry_code:
                    moves[code].append(row.id)
            for code, ids in moves.items():
                # The case_id test again: a case opened since the select keeps its industry.
                statement = (
                    update(DefectReport)
                    .where(DefectReport.id.in_(ids), *_retaggable())
                    .values(industry_code=code)
                    .execution_options(synchronize_session=False)
                )
                result.retagged += (await session.execute(statement)).rowcount
            result.unchanged += len(rows) - sum(len(ids) for ids in moves.values())
        if progress:
            progress(len(rows))
    return result
