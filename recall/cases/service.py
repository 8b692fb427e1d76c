"""Recall cases: commands go to the case workflow, reads come from the read model."""

from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from recall.auth.principal import Principal
from recall.cases.engine import CaseEngine
from recall.cases.models import Case, Hazard
from recall.cases.schemas import (
    AssessmentIn,
    CaseCreate,
    ClosureIn,
    DecisionIn,
    EliminationIn,
    HazardIn,
    PlanAcceptanceIn,
    PlanIn,
    ProgressIn,
    VerificationIn,
)
from recall.common.ids import IdFactory
from recall.common.models import Milestone
from recall.common.pagination import keyset_page
from recall.common.types import utcnow
from recall.errors import Conflict, InvalidField, InvalidTransition, NotFound
from recall.observability.context import bind_case
from recall.reports.models import DefectReport
from recall.reports.service import require_enterprises
from recall.rules.case_rules import HAZARD_CATEGORIES, TERMINAL_STAGES
from workflows import shared
from workflows.recall_case import RecallCaseWorkflow


async def _case_row(session: AsyncSession, case_id: str) -> Case:
    case = await session.get(Case, case_id)
    if case is None:
        raise NotFound(f"no case {case_id}")
    bind_case(case.number)
    return case


async def milestones_of(session: AsyncSession, subject_type: str, subject_id: str) -> list:
    stmt = (
        select(Milestone)
        .where(Milestone.subject_type == subject_type, Milestone.subject_id == subject_id)
        .order_by(Milestone.seq)
    )
    return list((await session.execute(stmt)).scalars())


async def get_case(*, session: AsyncSession, case_id: str) -> dict:
    case = await _case_row(session, case_id)
    hazards = (
        await session.execute(
            select(Hazard)
            .where(Hazard.case_id == case_id)
            .order_by(Hazard.identified_at, Hazard.id)
        )
    ).scalars()
    return {
        **{c.key: getattr(case, c.key) for c in Case.__table__.columns},
        "hazards": [{c.key: getattr(h, c.key) for c in Hazard.__table__.columns} for h in hazards],
        "milestones": await milestones_of(session, "case", case_id),
    }


async def list_cases(  # noqa: ANN201
    *,
    session: AsyncSession,
    stage: str | None,
    industry: str | None,
    region: str | None,
    overdue: bool | None,
    q: str | None,
    limit: int,
    cursor: str | None,
):
    stmt = select(Case)
    if stage:
        stmt = stmt.where(Case.stage == stage)
    if industry:
        stmt = stmt.where(Case.industry_code == industry)
    if region:
        stmt = stmt.where(Case.region_code == region)
    if overdue is not None:
        stmt = stmt.where(Case.overdue.is_(overdue))
    if q:
        stmt = stmt.where(or_(Case.title.ilike(f"%{q}%"), Case.number.ilike(f"%{q}%")))
    return await keyset_page(
        session, stmt, [Case.created_at, Case.id], limit=limit, cursor=cursor, descending=True
    )


async def open_case(
    *,
    session: AsyncSession,
    engine: CaseEngine,
    principal: Principal,
    ids: IdFactory,
    data: CaseCreate,
) -> dict:
    report_ids = list(dict.fromkeys(data.defect_report_ids))
    reports = list(
        (
            await session.execute(select(DefectReport).where(DefectReport.id.in_(report_ids)))
        ).scalars()
    )
    found = {r.id: r for r in reports}
    missing = [i for i in report_ids if i not in found]
    if missing:
        raise InvalidField(
            f"unknown defect report(s): {', '.join(missing)}", field="defect_report_ids"
        )
    case_id = ids.new("case")
    taken = [r for r in reports if r.case_id and r.case_id != case_id]
    if taken:
        r = taken[0]
        number = (await session.get(Case, r.case_id)).number
        raise Conflict(
            f"defect report {r.id} is already in case {number}", field="defect_report_ids"
        )
    ordered = [found[i] for i in report_ids]
    industries = {r.industry_code for r in ordered if r.industry_code}
    if len(industries) > 1:
        raise InvalidField(
            f"defect reports belong to different industries ({', '.join(sorted(industries))}); "
            "a case covers one industry",
            field="defect_report_ids",
        )
    regions = {r.region_code for r in ordered if r.region_code}
    if len(regions) > 1:
        raise InvalidField(
            f"defect reports belong to different regions ({', '.join(sorted(regions))}); "
            "a case belongs to one region",
            field="defect_report_ids",
        )
    enterprise_ids = list(dict.fromkeys(e for r in ordered for e in r.enterprise_ids))
    state = shared.CaseState(
        case_id=case_id,
        title=data.title or ordered[0].product,
        industry_code=next(iter(industries), None),
        region_code=next(iter(regions), None),
        enterprise_ids=enterprise_ids,
        defect_report_ids=report_ids,
        created_by=principal.actor,
    )
    await session.rollback()  # end the read transaction: the workflow writes through its own
    number = await engine.open(state, actor=principal.actor, update_id=ids.update_id("open"))
    bind_case(number)
    return await get_case(session=session, case_id=case_id)


async def _command(session, engine, case_id, update, arg, update_id) -> None:  # noqa: ANN001
    case = await _case_row(session, case_id)
    if case.stage in TERMINAL_STAGES:
        raise InvalidTransition(f"case {case.number} is {case.stage}; nothing more can be changed")
    await session.rollback()
    await engine.command(case_id, update, arg, update_id=update_id)


async def assess(*, session, engine, principal, ids, case_id: str, data: AssessmentIn) -> dict:  # noqa: ANN001
    arg = shared.AssessCase(actor=principal.actor, **data.model_dump())
    await _command(
        session, engine, case_id, RecallCaseWorkflow.assess, arg, ids.update_id("assess")
    )
    return await get_case(session=session, case_id=case_id)


async def decide(*, session, engine, principal, ids, case_id: str, data: DecisionIn) -> dict:  # noqa: ANN001
    arg = shared.DecideCase(actor=principal.actor, decision=data.decision, reason=data.reason)
    await _command(
        session, engine, case_id, RecallCaseWorkflow.decide, arg, ids.update_id("decide")
    )
    return await get_case(session=session, case_id=case_id)


async def submit_plan(*, session, engine, principal, ids, case_id: str, data: PlanIn) -> dict:  # noqa: ANN001
    arg = shared.SubmitPlan(actor=principal.actor, **data.model_dump())
    await _command(
        session, engine, case_id, RecallCaseWorkflow.submit_plan, arg, ids.update_id("plan")
    )
    return await get_case(session=session, case_id=case_id)


async def accept_plan(  # noqa: ANN001
    *, session, engine, principal, ids, case_id: str, data: PlanAcceptanceIn
) -> dict:
    arg = shared.AcceptPlan(actor=principal.actor, note=data.note)
    await _command(
        session, engine, case_id, RecallCaseWorkflow.accept_plan, arg, ids.update_id("accept")
    )
    return await get_case(session=session, case_id=case_id)


async def _hazard(session: AsyncSession, case_id: str, hazard_id: str) -> dict:
    hazard = await session.get(Hazard, hazard_id)
    if hazard is None or hazard.case_id != case_id:
        raise NotFound(f"case {case_id} has no hazard {hazard_id}")
    return {c.key: getattr(hazard, c.key) for c in Hazard.__table__.columns}


async def add_hazard(*, session, engine, principal, ids, case_id: str, data: HazardIn) -> dict:  # noqa: ANN001
    case = await _case_row(session, case_id)
    if data.category not in HAZARD_CATEGORIES:
        raise InvalidField(
            f"category must be one of {', '.join(HAZARD_CATEGORIES)}", field="category"
        )
    await require_enterprises(session, [data.enterprise_id], "enterprise_id")
    if case.enterprise_ids and data.enterprise_id not in case.enterprise_ids:
        raise InvalidField(
            f"enterprise {data.enterprise_id} is not one of case {case.number}'s enterprises",
            field="enterprise_id",
        )
    hazard_id = ids.new("hz")
    arg = shared.AddHazard(
        actor=principal.actor,
        hazard_id=hazard_id,
        enterprise_id=data.enterprise_id,
        category=data.category,
        description=data.description,
    )
    await _command(
        session, engine, case_id, RecallCaseWorkflow.add_hazard, arg, ids.update_id("hazard")
    )
    return await _hazard(session, case_id, hazard_id)


async def eliminate_hazard(  # noqa: ANN001
    *, session, engine, principal, ids, case_id: str, hazard_id: str, data: EliminationIn
) -> dict:
    await _hazard(session, case_id, hazard_id)
    if data.eliminated_at and data.eliminated_at > utcnow() + timedelta(minutes=5):
        raise InvalidField("eliminated_at is in the future", field="eliminated_at")
    arg = shared.EliminateHazard(
        actor=principal.actor,
        hazard_id=hazard_id,
        evidence=data.evidence,
        evidence_refs=data.evidence_refs,
        eliminated_at=data.eliminated_at,
    )
    await _command(
        session,
        engine,
        case_id,
        RecallCaseWorkflow.eliminate_hazard,
        arg,
        ids.update_id("eliminate"),
    )
    return await _hazard(session, case_id, hazard_id)


async def report_progress(  # noqa: ANN001
    *, session, engine, principal, ids, case_id: str, data: ProgressIn
) -> dict:
    arg = shared.ReportProgress(
        actor=principal.actor, units_corrected=data.units_corrected, note=data.note
    )
    await _command(
        session, engine, case_id, RecallCaseWorkflow.report_progress, arg, ids.update_id("progress")
    )
    return await get_case(session=session, case_id=case_id)


async def verify(*, session, engine, principal, ids, case_id: str, data: VerificationIn) -> dict:  # noqa: ANN001
    arg = shared.VerifyCase(actor=principal.actor, note=data.note)
    await _command(
        session, engine, case_id, RecallCaseWorkflow.verify, arg, ids.update_id("verify")
    )
    return await get_case(session=session, case_id=case_id)


async def close(*, session, engine, principal, ids, case_id: str, data: ClosureIn) -> dict:  # noqa: ANN001
    arg = shared.CloseCase(actor=principal.actor, summary=data.summary)
    await _command(session, engine, case_id, RecallCaseWorkflow.close, arg, ids.update_id("close"))
    return await get_case(session=session, case_id=case_id)
