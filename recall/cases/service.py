"""Recall cases: commands go to the case workflow, reads come from the read model.

Routes hand in the case row their permission guard already loaded (recall.cases.access)."""

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only

from recall.auth import permissions
from recall.auth.principal import Principal
from recall.cases.access import scope_cases, visible_case
from recall.cases.calendar import case_deadlines
from recall.cases.claims import claim_reports, release_reports
from recall.cases.models import Case, Hazard
from recall.cases.projection import project_case
from recall.cases.schemas import (
    CaseCreate,
    CaseSummaryOut,
    EliminationIn,
    HazardIn,
    PlanReturnIn,
    ReopeningIn,
)
from recall.commands import CommandContext
from recall.common.milestones import milestones_of
from recall.common.pagination import keyset_page
from recall.common.search import grams_of, plan_for_search, text_match
from recall.common.types import in_the_future, utcnow
from recall.errors import (
    DomainError,
    Forbidden,
    InvalidField,
    InvalidTransition,
    NotFound,
    Unavailable,
)
from recall.files import service as files
from recall.observability.context import bind_case
from recall.reference.service import require_region
from recall.reports.models import DefectReport
from recall.reports.service import require_enterprises, scope_reports
from recall.rules.case_rules import HAZARD_CATEGORIES, TERMINAL_STAGES
from workflows import shared
from workflows.recall_case import RecallCaseWorkflow

_CASES = Case.__table__
_HAZARDS = Hazard.__table__
# Built once (their cache keys too): they run after every command.
_CASE = select(_CASES).where(_CASES.c.id == bindparam("case_id"))
_HAZARDS_OF_CASE = (
    select(_HAZARDS)
    .where(_HAZARDS.c.case_id == bindparam("case_id"))
    .order_by(_HAZARDS.c.identified_at, _HAZARDS.c.id)
)
_HAZARD = select(_HAZARDS).where(_HAZARDS.c.id == bindparam("hazard_id"))


async def case_view(session: AsyncSession, case_id: str) -> dict:
    """The case as the API shows it, read fresh (plain rows, not ORM objects: this runs after
    every command)."""
    params = {"case_id": case_id}
    case = dict((await session.execute(_CASE, params)).one()._mapping)
    hazards = [dict(row._mapping) for row in await session.execute(_HAZARDS_OF_CASE, params)]
    cited = [file_id for h in hazards for file_id in h["evidence_file_ids"] or ()]
    described, held_ids = await files.describe_case_files(session, case_id, cited)
    milestones = await milestones_of(session, "case", case_id)
    return {
        **case,
        "deadlines": _deadlines(case),
        "hazards": [_hazard_out(h, described) for h in hazards],
        "files": [described[i] for i in held_ids],
        "milestones": milestones,
    }


def _deadlines(case: dict) -> list[dict]:
    """The deadline the case waits on, as its workflow set it: running, or missed (`overdue`)
    while the act it waits for is still to come."""
    if case["due_kind"] is None or case["due_at"] is None:
        return []
    overdue = case["due_kind"] in (case["overdue_items"] or [])
    return [{"kind": case["due_kind"], "due_at": case["due_at"], "overdue": overdue}]


def _hazard_out(hazard: dict, described: dict) -> dict:
    ids = hazard["evidence_file_ids"] or []
    return {**hazard, "evidence_files": [described[i] for i in ids if i in described]}


async def hazard_view(session: AsyncSession, hazard_id: str) -> dict:
    row = (await session.execute(_HAZARD, {"hazard_id": hazard_id})).one()
    hazard = dict(row._mapping)
    described = await files.describe_files(session, hazard["evidence_file_ids"] or [])
    return _hazard_out(hazard, described)


async def list_cases(
    *,
    session: AsyncSession,
    principal: Principal,
    stage: str | None,
    industry: str | None,
    region: str | None,
    overdue: bool | None,
    q: str | None,
    limit: int,
    cursor: str | None,
):
    # A page of cases holds what CaseSummaryOut shows, not a case's plan, reasons and reports.
    shown = (getattr(Case, name) for name in CaseSummaryOut.model_fields)
    summary = load_only(*shown, raiseload=True)
    stmt = scope_cases(select(Case).options(summary), principal)
    if stage:
        stmt = stmt.where(Case.stage == stage)
    if industry:
        stmt = stmt.where(Case.industry_code == industry)
    if region:
        stmt = stmt.where(Case.region_code == region)
    if overdue is not None:
        stmt = stmt.where(Case.overdue.is_(overdue))
    if q:
        searched = (Case.title, Case.number)
        stmt = stmt.where(text_match(session.bind.dialect.name, q, searched, grams_of(*searched)))
        await plan_for_search(session)
    return await keyset_page(
        session, stmt, [Case.created_at, Case.id], limit=limit, cursor=cursor, descending=True
    )


async def open_case(cmd: CommandContext, data: CaseCreate) -> dict:
    session, principal = cmd.session, cmd.principal
    report_ids = list(dict.fromkeys(data.defect_report_ids))
    # the columns a case takes from its reports, not whole ORM objects with their texts
    wanted = select(
        DefectReport.id,
        DefectReport.product,
        DefectReport.industry_code,
        DefectReport.region_code,
        DefectReport.enterprise_ids,
    ).where(DefectReport.id.in_(report_ids))
    stmt = scope_reports(wanted, principal, session.bind.dialect.name)
    found = {row.id: row for row in await session.execute(stmt)}
    missing = [i for i in report_ids if i not in found]
    if missing:
        raise InvalidField(
            f"unknown defect report(s): {', '.join(missing)}", field="defect_report_ids"
        )
    case_id = cmd.ids.new("case")
    ordered = [found[i] for i in report_ids]
    industries = {r.industry_code for r in ordered if r.industry_code}
    if len(industries) > 1:
        raise InvalidField(
            f"defect reports belong to different industries ({', '.join(sorted(industries))}); "
            "a case covers one industry",
            field="defect_report_ids",
        )
    regions = {r.region_code for r in ordered if r.region_code} | (
        {data.region_code} if data.region_code else set()
    )
    if len(regions) > 1:
        raise InvalidField(
            f"defect reports belong to different regions ({', '.join(sorted(regions))}); "
            "a case belongs to one region",
            field="defect_report_ids",
        )
    region_code = next(iter(regions), None)
    if region_code is None:
        raise InvalidField(
            "the defect reports name no region: give region_code", field="region_code"
        )
    await require_region(session, region_code, "region_code")
    if not permissions.may_open_case(principal, region_code):
        raise Forbidden(f"a {principal.role} may not open a case in region {region_code}")
    state = shared.CaseState(
        case_id=case_id,
        title=data.title or ordered[0].product,
        industry_code=next(iter(industries), None),
        region_code=region_code,
        enterprise_ids=list(dict.fromkeys(e for r in ordered for e in r.enterprise_ids)),
        defect_report_ids=report_ids,
        created_by=principal.actor,
    )
    state.number = await claim_reports(session, cmd.workflows, case_id, report_ids)
    # the official calendar travels with the case: workflows may not read it themselves
    deadlines = case_deadlines(cmd.workflows.case_deadlines, utcnow())
    try:
        committed = await cmd.start(
            RecallCaseWorkflow.run,
            shared.CaseInput(state=state, deadlines=deadlines),
            workflow_id=shared.case_workflow_id(case_id),
            update=RecallCaseWorkflow.open,
            arg=shared.OpenCase(actor=principal.actor),
            key="open",
            project=project_case,
        )
    except DomainError as err:
        if not isinstance(err, Unavailable):  # refused for sure: the reports are free again
            await release_reports(session, case_id, report_ids)
        raise
    bind_case(committed.state.number)
    return await case_view(session, case_id)


async def get_case(*, session: AsyncSession, principal: Principal, case_id: str) -> dict:
    await visible_case(session, principal, case_id)
    return await case_view(session, case_id)


async def command(cmd: CommandContext, case: Case, update, arg, key: str) -> dict:
    """Send one command to the case workflow and return the case as it stands after it."""
    case_id = case.id
    if case.stage in TERMINAL_STAGES:
        raise InvalidTransition(f"case {case.number} is {case.stage}; nothing more can be changed")
    await cmd.send(shared.case_workflow_id(case_id), update, arg, key=key, project=project_case)
    return await case_view(cmd.session, case_id)


_COMMANDS = {
    "assess": (RecallCaseWorkflow.assess, shared.AssessCase),
    "decide": (RecallCaseWorkflow.decide, shared.DecideCase),
    "submit_plan": (RecallCaseWorkflow.submit_plan, shared.SubmitPlan),
    "accept_plan": (RecallCaseWorkflow.accept_plan, shared.AcceptPlan),
    "report_progress": (RecallCaseWorkflow.report_progress, shared.ReportProgress),
    "verify": (RecallCaseWorkflow.verify, shared.VerifyCase),
    "close": (RecallCaseWorkflow.close, shared.CloseCase),
}


async def act(name: str, cmd: CommandContext, case: Case, fields: dict) -> dict:
    """A stage command whose input is the request body plus the actor. Evidence files it cites
    are checked first (422 on evidence_file_ids): its uploader's, and no other case's."""
    update, input_type = _COMMANDS[name]
    if fields.get("evidence_file_ids"):
        await files.check_citable(cmd.session, fields["evidence_file_ids"], cmd.principal, case.id)
    return await command(cmd, case, update, input_type(actor=cmd.actor, **fields), name)


async def return_plan(cmd: CommandContext, case: Case, data: PlanReturnIn) -> dict:
    """A regulator sends the submitted plan back for revision, with a reason: the case is
    `assessed` again (its recall decision stands, a plan is due again from now)."""
    arg = shared.ReturnPlan(actor=cmd.actor, reason=data.reason)
    return await command(cmd, case, RecallCaseWorkflow.return_plan, arg, "return_plan")


async def add_hazard(cmd: CommandContext, case: Case, data: HazardIn) -> dict:
    """A regulator records a hazard of any registered enterprise, which thereby becomes one of
    the case's enterprises (it sees the case and eliminates its hazards)."""
    session = cmd.session
    if data.category not in HAZARD_CATEGORIES:
        raise InvalidField(
            f"category must be one of {', '.join(HAZARD_CATEGORIES)}", field="category"
        )
    await require_enterprises(session, [data.enterprise_id], "enterprise_id")
    if in_the_future(data.identified_at):
        raise InvalidField("identified_at is in the future", field="identified_at")
    hazard_id = cmd.ids.new("hz")
    arg = shared.AddHazard(
        actor=cmd.actor,
        hazard_id=hazard_id,
        enterprise_id=data.enterprise_id,
        category=data.category,
        description=data.description,
        identified_at=data.identified_at,
    )
    await command(cmd, case, RecallCaseWorkflow.add_hazard, arg, "hazard")
    return await hazard_view(session, hazard_id)


async def eliminate_hazard(
    cmd: CommandContext, case: Case, hazard: Hazard, data: EliminationIn
) -> dict:
    """The hazard's enterprise records its elimination, with evidence in words and, optionally,
    files it uploaded (checked before the command goes: 422 on evidence_file_ids)."""
    if in_the_future(data.eliminated_at):
        raise InvalidField("eliminated_at is in the future", field="eliminated_at")
    if not data.evidence.strip():  # the schema refuses it too; page handlers meet it here
        raise InvalidField("evidence must not be blank", field="evidence")
    hazard_id = hazard.id
    await files.check_citable(cmd.session, data.evidence_file_ids, cmd.principal, case.id)
    arg = shared.EliminateHazard(
        actor=cmd.actor,
        hazard_id=hazard_id,
        evidence=data.evidence,
        evidence_refs=data.evidence_refs,
        eliminated_at=data.eliminated_at,
        evidence_file_ids=data.evidence_file_ids,
    )
    await command(cmd, case, RecallCaseWorkflow.eliminate_hazard, arg, "eliminate")
    return await hazard_view(cmd.session, hazard_id)


async def reopen_hazard(cmd: CommandContext, case: Case, hazard_id: str, data: ReopeningIn) -> dict:
    """A regulator reopens an eliminated (or verified) hazard, with a reason: `reopened`, to be
    eliminated again; a verified case goes back to `remediating`. Returns the hazard."""
    hazard = await cmd.session.get(Hazard, hazard_id)
    if hazard is None or hazard.case_id != case.id:
        raise NotFound(f"case {case.number} has no hazard {hazard_id}")
    arg = shared.ReopenHazard(actor=cmd.actor, hazard_id=hazard_id, reason=data.reason)
    await command(cmd, case, RecallCaseWorkflow.reopen_hazard, arg, "reopen")
    return await hazard_view(cmd.session, hazard_id)
