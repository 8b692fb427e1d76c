"""A defect report is in at most one case, however many requests race to open one.

Before its workflow starts, a case claims its reports with one conditional UPDATE: of two
racing requests one claims, the other finds the reports taken (PostgreSQL's row locks and
SQLite's single writer see to it). The same transaction draws the case's number."""

from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from recall.cases.models import Case
from recall.cases.projection import next_case_number
from recall.common.types import utcnow
from recall.errors import Conflict
from recall.gateway import WorkflowGateway
from recall.reports.models import DefectReport
from workflows.shared import case_workflow_id

# Longer than any request takes to start a workflow (the command timeout is 10 s by default).
STALE_AFTER = timedelta(minutes=2)


async def claim_reports(
    session: AsyncSession, workflows: WorkflowGateway, case_id: str, report_ids: list[str]
) -> str:
    """Claim the reports for `case_id` (again, for a request sent again) and return the
    case's number; a report in another case is a 409 naming it."""
    await session.rollback()
    for _ in range(2):
        claimed = await session.execute(
            update(DefectReport)
            .where(
                DefectReport.id.in_(report_ids),
                or_(DefectReport.case_id.is_(None), DefectReport.case_id == case_id),
            )
            .values(case_id=case_id, claimed_at=utcnow())
            # nothing reads the reports' objects after this (and the rollbacks expire them)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == len(report_ids):
            number = await session.scalar(select(Case.number).where(Case.id == case_id))
            number = number or await next_case_number(session, utcnow())
            await session.commit()
            return number
        await session.rollback()
        if not await _free_stale_claims(session, workflows, case_id, report_ids):
            break
    raise Conflict("the defect reports could not be claimed", field="defect_report_ids")


async def _free_stale_claims(
    session: AsyncSession, workflows: WorkflowGateway, case_id: str, report_ids: list[str]
) -> bool:
    """Refuse with the case that holds a report; free the claims of a case whose workflow
    never started (its request was answered 503 and never sent again). A claim younger than
    STALE_AFTER may belong to a request still starting its workflow: it stands. True if any
    claim was freed."""
    taken = await session.execute(
        select(DefectReport.id, DefectReport.case_id, DefectReport.claimed_at).where(
            DefectReport.id.in_(report_ids), DefectReport.case_id != case_id
        )
    )
    freed = False
    for report_id, other, claimed_at in taken.all():
        number = await session.scalar(select(Case.number).where(Case.id == other))
        fresh = claimed_at is None or claimed_at > utcnow() - STALE_AFTER
        if number is not None or fresh or await workflows.exists(case_workflow_id(other)):
            raise Conflict(
                f"defect report {report_id} is already in case {number or other}",
                field="defect_report_ids",
            )
        await session.execute(
            update(DefectReport).where(DefectReport.case_id == other).values(case_id=None)
        )
        freed = True
    await session.commit()
    return freed


async def release_reports(session: AsyncSession, case_id: str, report_ids: list[str]) -> None:
    """Give the reports back after the workflow refused to open the case."""
    await session.rollback()
    await session.execute(
        update(DefectReport)
        .where(DefectReport.id.in_(report_ids), DefectReport.case_id == case_id)
        .values(case_id=None, claimed_at=None)
    )
    await session.commit()
