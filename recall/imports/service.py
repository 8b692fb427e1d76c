"""Filing overseas recall notices as defect reports, and tying them again to industries later.

Usable from the CLI and the API alike: give it a session factory and parsed records.
"""

import asyncio
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from recall.common.types import new_id, utcnow
from recall.imports.keywords import IndustryMatcher, hazard_category_normalized, normalize
from recall.imports.parsers import (
    SOURCES,
    Notice,
    RecordRejected,
    Source,
    parse_record,
    recall_number_of,
)
from recall.imports.writing import BatchWriter, filed_query
from recall.reference.models import Industry
from recall.reports.models import DefectReport

OVERSEAS_SOURCE = "overseas_recall"
BATCH_SIZE = 1000
# Records parsed or matched between two turns of the event loop, in which the batch in flight
# moves on (its BEGIN, INSERT and COMMIT each wait for one) while Python works on the next.
YIELD_EVERY = 100

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

    Each batch is inserted in one statement and its own transaction, with ON CONFLICT DO NOTHING
    on external_key, so a concurrent import of the same notices cannot file one twice: the loser
    counts it as skipped. Before that, one SELECT per batch finds the keys filed already, which
    are skipped without matching keywords or writing anything (see `check_filed`). While the
    database inserts one batch, the next is parsed and matched. Only one batch is in flight at a
    time, its keys in order: two imports of the same notices cannot deadlock.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    async with session_factory() as session:
        matcher = IndustryMatcher(await industry_keywords(session))
    result = ImportResult()
    seen_keys: set[str] = set()
    async with session_factory() as reader:
        # One round trip per SELECT, with no BEGIN and COMMIT around it.
        reads = await reader.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        writer = BatchWriter(session_factory)
        written = 0  # records of the batches written, for the progress bar
        check_filed = True
        try:
            for start in range(0, len(records), batch_size):
                chunk = records[start : start + batch_size]
                notices = await _parse_batch(chunk, start, source, seen_keys, result)
                filed = await _filed_keys(reads, notices) if check_filed else set()
                result.skipped += len(filed)
                rows = []
                for done, notice in enumerate(notices, 1):
                    if notice.external_key not in filed:
                        rows.append(_report_row(notice, matcher))
                    if done % YIELD_EVERY == 0:
                        await asyncio.sleep(0)
                conflicts = await _count(writer, result, progress, written)
                # The SELECT pays off while batches meet filed notices. Once one meets none, the
                # next is not checked (ON CONFLICT still skips what is filed), until an insert
                # meets a filed notice again.
                check_filed = bool(filed) or conflicts > 0
                writer.start(rows, _shared_columns(utcnow()))
                written = len(chunk)
            await _count(writer, result, progress, written)
        finally:
            await writer.abandon()
    return result


async def _count(
    writer: BatchWriter, result: ImportResult, progress: Progress | None, records: int
) -> int:
    """Wait for the batch in flight and count it, in the result and on the progress bar; the
    rows it skipped because their key was filed meanwhile."""
    inserted, skipped = await writer.finish()
    result.imported += inserted
    result.skipped += skipped
    if progress and records:
        progress(records)
    return skipped


async def _parse_batch(
    chunk: Sequence[Any], start: int, source: Source, seen_keys: set[str], result: ImportResult
) -> list[Notice]:
    """The batch's notices not met earlier in the file; rejections and repeats are counted."""
    notices = []
    for index, record in enumerate(chunk, start):
        if index % YIELD_EVERY == 0:
            await asyncio.sleep(0)
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
        notices.append(notice)
    return notices


async def _filed_keys(connection: AsyncConnection, notices: list[Notice]) -> set[str]:
    if not notices:
        return set()
    query = filed_query(connection.dialect.name, [notice.external_key for notice in notices])
    return set((await connection.execute(query)).scalars())


def _report_row(notice: Notice, matcher: IndustryMatcher) -> dict[str, Any]:
    """The report's own columns; region_code, case_id and claimed_at are left out, so NULL."""
    texts = [
        normalize(t) for t in matched_texts(notice.product, notice.description, notice.hazard_text)
    ]
    return {
        "id": new_id("dr"),
        "product": notice.product,
        "description": notice.description,
        "industry_code": matcher.choose_normalized(texts),
        "hazard_category": hazard_category_normalized(texts[-1]),
        "received_at": notice.received_at,
        "external_key": notice.external_key,
        "external": notice.external,
    }


def _shared_columns(now: datetime) -> dict[str, Any]:
    """The columns every report of a batch has alike."""
    return {
        "source": OVERSEAS_SOURCE,
        "enterprise_ids": [],
        "created_by": "import",
        "created_at": now,
    }


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
        matcher = IndustryMatcher(await industry_keywords(session))
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
                code = matcher.choose(texts)
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
