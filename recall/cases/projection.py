"""Writes the case read model from workflow events. Every write is keyed by the event sequence,
so a retried activity changes nothing twice and an older event never overwrites a newer one."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from recall.cases.models import Case, CaseEnterprise, Hazard
from recall.common.projection import insert_milestones, jsonable, upsert_versioned
from recall.common.sql import insert_ignore, next_counter
from recall.files import service as files
from recall.reports.models import DefectReport
from recall.rules.case_rules import correction_rate
from workflows.shared import CaseProjection, CaseState, HazardState, case_workflow_id


def _case_values(state: CaseState) -> dict:
    plan = state.plan
    return {
        "title": state.title,
        "stage": state.stage,
        "risk": jsonable(state.risk),
        "decision": state.decision,
        "decision_reason": state.decision_reason,
        "plan": jsonable(plan),
        "units_corrected": state.units_corrected,
        "correction_rate": correction_rate(
            state.units_corrected, plan.units_affected if plan else None
        ),
        "overdue": bool(state.overdue_items),
        "overdue_items": list(state.overdue_items),
        "due_kind": state.due_kind,
        "due_at": state.due_at,
    }


async def next_case_number(session: AsyncSession, at: datetime) -> str:
    """The next human number of the year (China time) of `at`: RC-2026-000123."""
    year = at.astimezone(timezone(timedelta(hours=8))).year
    return f"RC-{year}-{await next_counter(session, f'case:{year}'):06d}"


async def open_case(session: AsyncSession, state: CaseState, workflow_id: str) -> str:
    """Create the case row with its human number; a second call returns the first number."""
    existing = (
        await session.execute(select(Case.number).where(Case.id == state.case_id))
    ).scalar_one_or_none()
    if existing:
        return existing
    number = await next_case_number(session, state.opened_at)
    session.add(
        Case(
            id=state.case_id,
            number=number,
            industry_code=state.industry_code,
            region_code=state.region_code,
            enterprise_ids=list(state.enterprise_ids),
            defect_report_ids=list(state.defect_report_ids),
            workflow_id=workflow_id,
            created_by=state.created_by,
            created_at=state.opened_at,
            updated_at=state.opened_at,
            **{**_case_values(state), "version": 0},
        )
    )
    await session.flush()
    for enterprise_id in dict.fromkeys(state.enterprise_ids):
        session.add(CaseEnterprise(case_id=state.case_id, enterprise_id=enterprise_id))
    await session.execute(
        update(DefectReport)
        .where(DefectReport.id.in_(state.defect_report_ids), DefectReport.case_id.is_(None))
        .values(case_id=state.case_id)
    )
    await session.commit()
    return number


def _hazard_values(h: HazardState) -> dict:
    days = None
    if h.eliminated_at is not None:
        days = round(max((h.eliminated_at - h.identified_at).total_seconds(), 0) / 86400, 4)
    return {
        "days_to_eliminate": days,
        "status": h.status,
        "description": h.description,
        "category": h.category,
        "evidence": h.evidence,
        "evidence_refs": list(h.evidence_refs),
        "evidence_file_ids": list(h.evidence_file_ids),
        "eliminated_at": h.eliminated_at,
        "verified_at": h.verified_at,
    }


async def project_case(session: AsyncSession, p: CaseProjection, *, whole: bool = False) -> None:
    """Write one committed event: the case row (created by the first event), the hazards it
    changed and its milestones. Runs from the API (the Update's answer) and from the workflow's
    projection activity; whichever comes second changes nothing. `whole`: the projection is the
    case's whole state (a repair), so everything it implies is written whatever its milestones."""
    state, version = p.state, p.state.seq
    values = {
        "id": state.case_id,
        "number": state.number,
        "industry_code": state.industry_code,
        "region_code": state.region_code,
        "enterprise_ids": list(state.enterprise_ids),
        "defect_report_ids": list(state.defect_report_ids),
        "workflow_id": case_workflow_id(state.case_id),
        "created_by": state.created_by,
        "created_at": state.opened_at,
        "updated_at": p.milestones[-1].at if p.milestones else state.opened_at,
        **_case_values(state),
    }
    if not p.milestones:
        del values["updated_at"]  # an answer that records nothing new keeps the row's time
    await upsert_versioned(session, Case, values, version)
    # Only opening a case and adding a hazard change its enterprises and reports; an answer
    # with no milestones (a command sent again) says nothing of what changed.
    kinds = {m.kind for m in p.milestones}
    widens = whole or not kinds or bool(kinds & {"reported", "hazard_identified"})
    if state.enterprise_ids and widens:
        rows = [{"case_id": state.case_id, "enterprise_id": e} for e in state.enterprise_ids]
        await session.execute(
            insert_ignore(session, CaseEnterprise, ["case_id", "enterprise_id"])(rows)
        )
    if state.defect_report_ids and (whole or not kinds or "reported" in kinds):
        await session.execute(
            update(DefectReport)
            .where(DefectReport.id.in_(state.defect_report_ids), DefectReport.case_id.is_(None))
            .values(case_id=state.case_id)
            # the request's session may hold the reports' objects: no need to evaluate them
            .execution_options(synchronize_session=False)
        )
    for h in p.hazards:
        row = {
            "id": h.id,
            "case_id": state.case_id,
            "enterprise_id": h.enterprise_id,
            "industry_code": state.industry_code,
            "region_code": state.region_code,
            "identified_at": h.identified_at,
            **_hazard_values(h),
        }
        await upsert_versioned(session, Hazard, row, version)
    await files.attach(session, state.case_id, _cited_files(p))
    await insert_milestones(session, "case", state.case_id, p.milestones)
    await session.commit()


def _cited_files(p: CaseProjection) -> list[str]:
    """The evidence files the event's acts cite: its hazards' and its progress report's. Once
    committed, the case holds them (who may see the case may read them)."""
    cited = [file_id for h in p.hazards for file_id in h.evidence_file_ids]
    if any(m.kind == "progress_reported" for m in p.milestones):
        cited += p.state.progress_evidence_file_ids
    return cited
