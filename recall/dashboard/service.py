"""Dashboard figures, counted by the database (never by loading rows into Python).

Hazards carry their case's industry and region; the chain's things are filtered through their
programme (its industry, its regions) and, for brand enterprises, the enterprise's region."""

from datetime import datetime

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from recall.associations.models import Association
from recall.cases.models import Case, Hazard
from recall.cultivations.models import BrandCultivation
from recall.dashboard.filters import DashboardFilter
from recall.programmes.models import Programme, ProgrammeMember, ProgrammeRegion
from recall.reference.models import Enterprise
from recall.rules.case_rules import ELIMINATED_HAZARD_STATUSES, OPEN_HAZARD_STATUSES, STAGES
from recall.rules.programme_rules import CERTIFIED, PUBLISHED
from recall.rules.programme_rules import STAGES as PROGRAMME_STAGES
from recall.standards.models import Standard

STANDARD_KINDS = ("group", "industry", "zhejiang_made", "local", "national")
GROUPINGS = ("month", "industry", "region", "category")


def _window(column, f: DashboardFilter) -> list:
    clauses = []
    if f.start is not None:
        clauses.append(column >= f.start)
    if f.end is not None:
        clauses.append(column < f.end)
    return clauses


def _hazard_scope(stmt: Select, f: DashboardFilter) -> Select:
    if f.industry:
        stmt = stmt.where(Hazard.industry_code == f.industry)
    if f.region:
        stmt = stmt.where(Hazard.region_code == f.region)
    return stmt


def _programme_scope(programme_id_column, f: DashboardFilter) -> list:
    """Where-clauses that keep chain things whose programme is in the industry and region."""
    clauses = []
    if f.industry:
        clauses.append(
            programme_id_column.in_(
                select(Programme.id).where(Programme.industry_code == f.industry)
            )
        )
    if f.region:
        clauses.append(
            programme_id_column.in_(
                select(ProgrammeRegion.programme_id).where(ProgrammeRegion.region_code == f.region)
            )
        )
    return clauses


def _month(dialect: str, column):
    """The month in China Standard Time: YYYY-MM on SQLite; on PostgreSQL its first moment, the
    expression of ix_hazards_*_month (an index-only scan in month order instead of formatting a
    million timestamps), made YYYY-MM by _month_key."""
    if dialect == "postgresql":
        return func.date_trunc("month", func.timezone("Asia/Shanghai", column))
    return func.strftime("%Y-%m", column, "+8 hours")


def _month_key(value: datetime | str | None) -> str | None:
    return value.strftime("%Y-%m") if isinstance(value, datetime) else value


async def _median_days(session: AsyncSession, f: DashboardFilter, eliminated: int) -> float | None:
    """The median of days_to_eliminate over the eliminated hazards in scope: the middle value or
    the two middle ones, read in days order off ix_hazards_eliminated_days rather than sorting
    them all (percentile_cont). `eliminated` counts those hazards; the ones without days (none
    since elimination records them) are left out."""
    where = [Hazard.status.in_(ELIMINATED_HAZARD_STATUSES), *_window(Hazard.eliminated_at, f)]
    # Missing days sort first in descending order: one row off the end of the index says whether
    # any are missing, and only then are they counted.
    last = (
        _hazard_scope(select(Hazard.days_to_eliminate).where(*where), f)
        .order_by(Hazard.days_to_eliminate.desc().nulls_first())
        .limit(1)
    )
    count = eliminated
    if eliminated and (await session.execute(last)).scalar() is None:
        count -= (
            await session.execute(
                _hazard_scope(
                    select(func.count()).where(*where, Hazard.days_to_eliminate.is_(None)), f
                )
            )
        ).scalar()
    if not count:
        return None
    middle = (
        _hazard_scope(
            select(Hazard.days_to_eliminate).where(*where, Hazard.days_to_eliminate.is_not(None)), f
        )
        .order_by(Hazard.days_to_eliminate)
        .offset((count - 1) // 2)
        .limit(2 - count % 2)
    )
    values = list((await session.execute(middle)).scalars())
    if session.bind.dialect.name == "postgresql":  # as percentile_cont(0.5) interpolates
        return round(values[0] + (values[-1] - values[0]) * 0.5, 2)
    return round(sum(values) / len(values), 2)


async def _counts_by(session: AsyncSession, column, stmt: Select, keys) -> dict[str, int]:
    rows = await session.execute(stmt.add_columns(column, func.count()).group_by(column))
    counts = {key: 0 for key in keys}
    counts.update({key: n for key, n in rows if key is not None})
    return counts


def _hazard_count(f: DashboardFilter, *where):
    """A count that names its status in WHERE, so that it is read off a partial index."""
    return _hazard_scope(
        select(func.count()).select_from(Hazard).where(*where), f
    ).scalar_subquery()


async def summary(session: AsyncSession, f: DashboardFilter) -> dict:
    hazards = select(
        _hazard_count(
            f, Hazard.status.in_(ELIMINATED_HAZARD_STATUSES), *_window(Hazard.eliminated_at, f)
        ),
        _hazard_count(f, Hazard.status.in_(OPEN_HAZARD_STATUSES)),
    )
    eliminated, open_ = (await session.execute(hazards)).one()

    cases = select().select_from(Case)
    if f.industry:
        cases = cases.where(Case.industry_code == f.industry)
    if f.region:
        cases = cases.where(Case.region_code == f.region)
    cases_by_stage = await _counts_by(session, Case.stage, cases, STAGES)
    overdue = (
        await session.execute(cases.add_columns(func.count()).where(Case.overdue.is_(True)))
    ).scalar()

    associations = select(func.count(distinct(Association.id))).where(
        Association.status == "registered", *_window(Association.registered_at, f)
    )
    if f.industry or f.region:
        members = select(ProgrammeMember.member_id).where(
            ProgrammeMember.kind == "association",
            *_programme_scope(ProgrammeMember.programme_id, f),
        )
        associations = associations.where(Association.id.in_(members))
    associations_formed = (await session.execute(associations)).scalar()

    standards = (
        select()
        .select_from(Standard)
        .where(
            Standard.stage_code == PUBLISHED,
            *_window(Standard.published_at, f),
            *_programme_scope(Standard.programme_id, f),
        )
    )
    standards_published = await _counts_by(session, Standard.kind, standards, STANDARD_KINDS)

    certified = select(func.count(distinct(BrandCultivation.enterprise_id))).where(
        BrandCultivation.stage.in_(CERTIFIED),
        *_window(BrandCultivation.certified_at, f),
        *_programme_scope(BrandCultivation.programme_id, DashboardFilter(industry=f.industry)),
    )
    if f.region:
        certified = certified.where(
            BrandCultivation.enterprise_id.in_(
                select(Enterprise.id).where(Enterprise.region_code == f.region)
            )
        )
    brand_certified = (await session.execute(certified)).scalar()

    programmes = select().select_from(Programme).where(*_programme_scope(Programme.id, f))
    programmes_by_stage = await _counts_by(
        session, Programme.stage, programmes, (*PROGRAMME_STAGES, "completed")
    )
    return {
        "hazards_eliminated": eliminated,
        "hazards_open": open_,
        "median_days_to_eliminate": await _median_days(session, f, eliminated),
        "cases_by_stage": cases_by_stage,
        "overdue_cases": overdue,
        "associations_formed": associations_formed,
        "standards_published": standards_published,
        "brand_enterprises_certified": brand_certified,
        "programmes_by_stage": programmes_by_stage,
    }


async def hazards_by(session: AsyncSession, group_by: str, f: DashboardFilter) -> list[dict]:
    """[{key, eliminated, open}]: eliminated in the window; open now. By month, eliminations
    count in the month they happened and open hazards in the month they were identified."""
    dialect = session.bind.dialect.name
    if group_by == "month":
        eliminated_key = _month(dialect, Hazard.eliminated_at)
        open_key = _month(dialect, Hazard.identified_at)
    else:
        column = {
            "industry": Hazard.industry_code,
            "region": Hazard.region_code,
            "category": Hazard.category,
        }[group_by]
        eliminated_key = open_key = column
    eliminated = _hazard_scope(
        select(eliminated_key, func.count()).where(
            Hazard.status.in_(ELIMINATED_HAZARD_STATUSES), *_window(Hazard.eliminated_at, f)
        ),
        f,
    ).group_by(eliminated_key)
    still_open = _hazard_scope(
        select(open_key, func.count()).where(Hazard.status.in_(OPEN_HAZARD_STATUSES)), f
    ).group_by(open_key)
    rows: dict[str, dict] = {}
    for key, n in await session.execute(eliminated):
        key = _month_key(key) or ""
        rows.setdefault(key, {"key": key, "eliminated": 0, "open": 0})["eliminated"] = n
    for key, n in await session.execute(still_open):
        key = _month_key(key) or ""
        rows.setdefault(key, {"key": key, "eliminated": 0, "open": 0})["open"] = n
    return sorted(rows.values(), key=lambda r: r["key"])
