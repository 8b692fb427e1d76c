"""Public recall notices (召回公告), read from the case read model: every case with a recall
decision whose plan was accepted (its first `plan_accepted` milestone is the notice's publication).
A case before then has no notice at all. A notice names no person: no actor, no note, no plan
summary, no decision reason, no report's description.

A page of notices costs four queries whatever its size: the cases, then their enterprises, hazards
and reports at once."""

from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from recall.cases.models import Case, CaseEnterprise, Hazard
from recall.common.models import Milestone
from recall.common.pagination import decode_cursor, encode_cursor
from recall.common.search import grams_of, text_match
from recall.common.text import control_character
from recall.dashboard.i18n import LANGS, Labels
from recall.errors import InvalidField, NotFound
from recall.reference.models import Enterprise
from recall.reports.models import DefectReport
from recall.rules.case_rules import RECALL_DECISIONS


def _published() -> Select:
    """Each case's first plan acceptance: when its notice was published."""
    return (
        select(
            Milestone.subject_id.label("case_id"),
            func.min(Milestone.at).label("published_at"),
        )
        .where(Milestone.subject_type == "case", Milestone.kind == "plan_accepted")
        .group_by(Milestone.subject_id)
        .subquery("published")
    )


def _notices():
    """The published cases with their publication time, and that time's column."""
    published = _published()
    stmt = (
        select(Case, published.c.published_at)
        .join(published, published.c.case_id == Case.id)
        .where(
            Case.decision.in_(RECALL_DECISIONS),
            Case.plan["accepted_at"].as_string().is_not(None),
        )
    )
    return stmt, published.c.published_at


def _like(text: str) -> str:
    """A substring pattern in which % and _ are themselves."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matching(text: str, dialect: str):
    """The case's number or title, a product of its reports or an enterprise's name holds text
    (case-insensitive). The products are searched with the reports' text-search indexes (a
    million reports is a long read without them): their grams cover product and description, and
    each candidate's product is checked."""
    pattern = _like(text)
    named = (
        select(CaseEnterprise.case_id)
        .join(Enterprise, Enterprise.id == CaseEnterprise.enterprise_id)
        .where(Enterprise.name.ilike(pattern, escape="\\"))
    )
    searched = (DefectReport.product, DefectReport.description)
    reported = select(DefectReport.case_id).where(
        text_match(dialect, text, searched[:1], grams_of(*searched))
    )
    return or_(
        Case.number.ilike(pattern, escape="\\"),
        Case.title.ilike(pattern, escape="\\"),
        Case.id.in_(named),
        Case.id.in_(reported),
    )


def _after(published_at, cursor: str):
    """Notices older than the cursor's (newest first: time, then id, descending)."""
    refused = InvalidField("cursor is not one this API handed out", field="cursor")
    moment, case_id = decode_cursor(cursor, 2)
    try:
        moment = datetime.fromisoformat(moment)  # TypeError unless a str
        if moment.tzinfo is None:
            raise ValueError("a time without its offset")
        moment.astimezone(UTC)  # OverflowError near years 1 and 9999
    except (TypeError, ValueError, OverflowError):
        raise refused from None
    if not isinstance(case_id, str) or control_character(case_id):
        raise refused
    return or_(published_at < moment, and_(published_at == moment, Case.id < case_id))


async def list_notices(
    session: AsyncSession,
    *,
    q: str | None,
    industry: str | None,
    region: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[dict], str | None]:
    """A page of notices, newest first, by text (`q`), industry and region."""
    stmt, published_at = _notices()
    if q:
        stmt = stmt.where(_matching(q, session.bind.dialect.name))
    if industry:
        stmt = stmt.where(Case.industry_code == industry)
    if region:
        stmt = stmt.where(Case.region_code == region)
    if cursor:
        stmt = stmt.where(_after(published_at, cursor))
    stmt = stmt.order_by(published_at.desc(), Case.id.desc()).limit(limit + 1)
    rows = [tuple(row) for row in await session.execute(stmt)]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last, last_published = rows[-1]
        next_cursor = encode_cursor([last_published, last.id])
    return await _written(session, rows), next_cursor


async def get_notice(session: AsyncSession, number: str) -> dict:
    stmt, _ = _notices()
    row = (await session.execute(stmt.where(Case.number == number))).one_or_none()
    if row is None:
        raise NotFound(f"no recall notice {number} has been published")
    return (await _written(session, [tuple(row)]))[0]


async def _written(session: AsyncSession, rows: list[tuple[Case, datetime]]) -> list[dict]:
    """The notices of these cases, their enterprises, hazards and reports read at once."""
    ids = [case.id for case, _ in rows]
    if not ids:
        return []
    enterprises: dict[str, dict[str, str]] = defaultdict(dict)
    for case_id, enterprise_id, name in await session.execute(
        select(CaseEnterprise.case_id, Enterprise.id, Enterprise.name)
        .join(Enterprise, Enterprise.id == CaseEnterprise.enterprise_id)
        .where(CaseEnterprise.case_id.in_(ids))
    ):
        enterprises[case_id][enterprise_id] = name
    hazards: dict[str, list[dict]] = defaultdict(list)
    for case_id, category, description in await session.execute(
        select(Hazard.case_id, Hazard.category, Hazard.description)
        .where(Hazard.case_id.in_(ids))
        .order_by(Hazard.identified_at, Hazard.id)
    ):
        hazards[case_id].append({"category": category, "description": description})
    products: dict[str, list[str]] = defaultdict(list)
    categories: dict[str, list[str]] = defaultdict(list)
    for case_id, product, category in await session.execute(
        select(DefectReport.case_id, DefectReport.product, DefectReport.hazard_category)
        .where(DefectReport.case_id.in_(ids))
        .order_by(DefectReport.received_at, DefectReport.id)
    ):
        products[case_id].append(product)
        if category:
            categories[case_id].append(category)
    return [
        _notice(
            case,
            published_at,
            [enterprises[case.id][e] for e in case.enterprise_ids if e in enterprises[case.id]],
            hazards[case.id],
            list(dict.fromkeys(products[case.id])),
            list(dict.fromkeys(categories[case.id])),
        )
        for case, published_at in rows
    ]


def _notice(
    case: Case,
    published_at: datetime,
    enterprises: list[str],
    hazards: list[dict],
    products: list[str],
    reported_categories: list[str],
) -> dict:
    plan, risk = case.plan or {}, case.risk or {}
    remedy, level = plan["remedy"], risk.get("level")
    return {
        "number": case.number,
        "title": case.title,
        "product": " / ".join(products) or case.title,
        "enterprises": enterprises,
        "industry_code": case.industry_code,
        "region_code": case.region_code,
        "decision": case.decision,
        "risk_level": level,
        "hazards": hazards,
        "hazard": _in_words(
            lambda t: hazard_words(t, case.decision, level, hazards, reported_categories)
        ),
        "remedy": remedy,
        "remedy_text": _in_words(lambda t: t(f"notice.remedy.{remedy}")),
        "what_to_do": _in_words(lambda t: t(f"notice.what_to_do.{remedy}")),
        "units_affected": plan["units_affected"],
        "correction_rate": case.correction_rate,
        "published_at": published_at,
        "updated_at": max(case.updated_at, published_at),
    }


def _in_words(words) -> dict[str, str]:
    return {lang: words(Labels(lang)) for lang in LANGS}


def hazard_words(
    t: Labels,
    decision: str,
    level: str | None,
    hazards: list[dict],
    reported_categories: list[str],
) -> str:
    """The decision, the risk and the hazards, in sentences. Before the regulator itemises the
    hazards, the categories the reports gave."""
    sentences = [t("notice.decision_words", decision=t.code("decision", decision))]
    if level:
        sentences.append(t("notice.risk_words", level=t.code("risk", level)))
    if hazards:
        # the same defect at many producers reads once
        items = list(
            dict.fromkeys(
                t(
                    "notice.hazard_item",
                    category=t.code("category", h["category"]),
                    description=h["description"].strip(),
                )
                for h in hazards
            )
        )
    else:
        items = [t.code("category", c) for c in reported_categories] or [t("notice.no_hazard")]
    sentences.append(t("notice.hazards_words", hazards=t("notice.hazard_sep").join(items)))
    return t("notice.join").join(sentences)
