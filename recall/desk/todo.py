"""The to-do list of /desk: what this person must do next, each with its due date and a link,
soonest due first (then oldest first). Read from the read model, scoped as the API scopes lists."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from recall.associations.models import Association
from recall.auth.principal import Principal
from recall.cases.access import scope_cases
from recall.cases.models import Case, Hazard
from recall.reports.models import DefectReport
from recall.reports.service import scope_reports
from recall.rules.case_rules import OPEN_HAZARD_STATUSES, RECALL_DECISIONS
from recall.standards.models import Standard

MAX_ITEMS = 200
# What a regulator does next at each stage, and what an enterprise does.
REGULATOR_NEXT = {
    "reported": "assess",
    "assessed": "decide",
    "recall_planned": "accept_plan",
    "remediating": "verify",
    "verified": "close",
}


@dataclass
class Item:
    what: str  # a label key: todo.<what>
    link: str
    title: str
    number: str | None = None
    due_at: datetime | None = None
    overdue: bool = False
    count: int = 0
    since: datetime | None = None


def _due(case: Case) -> tuple[datetime | None, bool]:
    """The case's running deadline, as its workflow computed it (the read model keeps it)."""
    return case.due_at, case.overdue


def _case_item(what: str, case: Case) -> Item:
    due, overdue = _due(case)
    return Item(
        what=what,
        link=f"/desk/cases/{case.id}",
        title=case.title,
        number=case.number,
        due_at=due,
        overdue=overdue,
        since=case.updated_at,
    )


async def _cases(session: AsyncSession, principal: Principal, stages) -> list[Case]:
    stmt = (
        scope_cases(select(Case), principal)
        .where(Case.stage.in_(tuple(stages)))
        .order_by(Case.updated_at)
        .limit(MAX_ITEMS)
    )
    return list((await session.execute(stmt)).scalars())


async def regulator_items(session: AsyncSession, principal: Principal) -> list[Item]:
    items = []
    untriaged = await session.scalar(
        scope_reports(
            select(func.count()).select_from(DefectReport).where(DefectReport.case_id.is_(None)),
            principal,
            session.bind.dialect.name,
        )
    )
    if untriaged:
        items.append(Item(what="triage", link="/desk/reports", title="", count=untriaged))
    for case in await _cases(session, principal, REGULATOR_NEXT):
        what = REGULATOR_NEXT[case.stage]
        if case.stage == "assessed" and case.decision in RECALL_DECISIONS:
            if case.overdue:  # the enterprise's plan is late: the regulator follows it up
                items.append(_case_item("chase", case))
            continue  # decided: the plan is the enterprise's to submit
        if case.stage == "remediating":
            still_open = await session.scalar(
                select(func.count())
                .select_from(Hazard)
                .where(Hazard.case_id == case.id, Hazard.status.in_(OPEN_HAZARD_STATUSES))
            )
            if still_open and not case.overdue:
                continue  # nothing to verify yet
        items.append(_case_item(what, case))
    return items


async def enterprise_items(session: AsyncSession, principal: Principal) -> list[Item]:
    items = []
    for case in await _cases(session, principal, ("assessed", "remediating")):
        if case.stage == "assessed" and case.decision in RECALL_DECISIONS:
            items.append(_case_item("submit_plan", case))
        elif case.stage == "remediating":
            items.append(_case_item("report_progress", case))
    hazards = await session.execute(
        select(Hazard.case_id, func.count())
        .where(
            Hazard.enterprise_id == principal.enterprise_id,
            Hazard.status.in_(OPEN_HAZARD_STATUSES),
        )
        .group_by(Hazard.case_id)
        .limit(MAX_ITEMS)
    )
    for case_id, n in hazards:
        case = await session.get(Case, case_id)
        if case is not None and case.stage not in ("closed", "closed_no_recall"):
            item = _case_item("eliminate", case)
            item.count = n
            items.append(item)
    return items


async def association_items(session: AsyncSession, principal: Principal) -> list[Item]:
    """An association's people: their association while it is not registered, and each
    standard it drafts until it is published (a comment period's end as its due date)."""
    items = []
    association = await session.get(Association, principal.association_id)
    if association is not None and association.status != "registered":
        items.append(
            Item(
                what="association",
                link=f"/desk/associations/{association.id}",
                title=association.name,
                since=association.created_at,
            )
        )
    standards = await session.execute(
        select(Standard)
        .where(
            Standard.drafting_association_id == principal.association_id,
            Standard.stage_code.not_in(("60.60", "95.99")),
        )
        .order_by(Standard.created_at)
        .limit(MAX_ITEMS)
    )
    for standard in standards.scalars():
        items.append(
            Item(
                what="standard",
                link=f"/desk/standards/{standard.id}",
                title=standard.title,
                number=standard.stage_code,
                due_at=standard.comment_period_ends_at if standard.stage_code == "40.20" else None,
                since=standard.created_at,
            )
        )
    return items


def soonest_first(items: list[Item]) -> list[Item]:
    far = datetime.max.replace(tzinfo=None)

    def key(item: Item):
        due = item.due_at.replace(tzinfo=None) if item.due_at else far
        since = item.since.replace(tzinfo=None) if item.since else far
        return (not item.overdue, due, since)

    return sorted(items, key=key)


async def todo(session: AsyncSession, principal: Principal) -> list[Item]:
    if principal.is_admin or principal.role == "regulator":
        items = await regulator_items(session, principal)
    elif principal.role == "enterprise":
        items = await enterprise_items(session, principal)
    elif principal.role == "association":
        items = await association_items(session, principal)
    else:
        items = []
    return soonest_first(items)[:MAX_ITEMS]
