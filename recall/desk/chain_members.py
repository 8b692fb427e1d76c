"""What the chain's pages show of the things a programme links (associations, standards,
brand cultivations) and of the choices their forms offer: each with its own stage, in the
reader's words, and only what the reader may see."""

from types import SimpleNamespace

from sqlalchemy import select, true
from sqlalchemy.ext.asyncio import AsyncSession

from recall.associations.models import Association
from recall.auth import permissions
from recall.auth.principal import Principal
from recall.cultivations.models import BrandCultivation
from recall.dashboard.i18n import Labels
from recall.errors import NotFound
from recall.programmes.access import visible_programme
from recall.reference.models import Enterprise
from recall.rules import programme_rules
from recall.rules.ordered_stages import CULTIVATION
from recall.rules.refusal import RuleViolation
from recall.standards.models import Standard

CHOICES = 500  # enterprises or associations a select offers at most


async def enterprise_names(session: AsyncSession, ids) -> dict[str, str]:
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(ids))
    )
    found = dict(rows.all())
    return {i: found.get(i, i) for i in ids}


async def programme_titles(
    session: AsyncSession, principal: Principal, programme_ids
) -> dict[str, str]:
    """Titles of the programmes the reader may see (the others are not named)."""
    titles = {}
    for programme_id in programme_ids:
        try:
            titles[programme_id] = (await visible_programme(session, principal, programme_id)).title
        except NotFound:
            continue
    return titles


def steps(stages: tuple[str, ...], current: str, t: Labels, group: str) -> list[dict]:
    """A stage machine taken in order as a stepper; the last stage reached counts as done."""
    reached = stages.index(current) if current in stages else -1
    if current == stages[-1]:
        reached += 1
    return [
        {
            "code": s,
            "name": t.code(group, s),
            "status": "done" if i < reached else "current" if i == reached else "pending",
        }
        for i, s in enumerate(stages)
    ]


async def associations_of(session: AsyncSession, ids: list[str], t: Labels) -> list[dict]:
    """Every signed-in person sees every association."""
    out = []
    for association_id in ids:
        a = await session.get(Association, association_id)
        if a is not None:
            out.append(
                {
                    "id": a.id,
                    "name": a.name,
                    "status": a.status,
                    "stage": t.code("association_stage", a.status),
                    "link": f"/desk/associations/{a.id}",
                }
            )
    return out


async def standards_of(session: AsyncSession, ids: list[str], t: Labels) -> list[dict]:
    """Every signed-in person reads every standard (recall.standards.access)."""
    out = []
    for standard_id in ids:
        s = await session.get(Standard, standard_id)
        if s is not None:
            out.append(
                {
                    "id": s.id,
                    "name": s.title,
                    "status": s.stage_code,
                    "stage": t.code("standard_stage", s.stage_code),
                    "link": f"/desk/standards/{s.id}",
                }
            )
    return out


async def drafted_by(session: AsyncSession, association_id: str, t: Labels) -> list[dict]:
    rows = await session.execute(
        select(Standard.id)
        .where(Standard.drafting_association_id == association_id)
        .order_by(Standard.created_at, Standard.id)
    )
    return await standards_of(session, list(rows.scalars()), t)


async def cultivations_of(
    session: AsyncSession, principal: Principal, programme: dict, t: Labels
) -> tuple[list[dict], int]:
    """The cultivations the reader may see, and how many others there are."""
    rows = [await session.get(BrandCultivation, i) for i in programme["cultivation_ids"]]
    seen = [
        c
        for c in rows
        if c is not None
        and permissions.can_see_cultivation(principal, c.enterprise_id, programme["region_codes"])
    ]
    names = await enterprise_names(session, [c.enterprise_id for c in seen])
    shown = [
        {
            "id": c.id,
            "name": names[c.enterprise_id],
            "status": c.stage,
            "stage": t.code("cultivation_stage", c.stage),
            "link": f"/desk/brand-cultivations/{c.id}",
        }
        for c in seen
    ]
    return shown, len(programme["cultivation_ids"]) - len(shown)


def waivable_stages(programme: dict, milestones: list[dict]) -> list[str]:
    """The stages the rules let a regulator waive now (recall.rules.programme_rules.check_waive
    on the programme as the read model holds it; a stage waived before it opened is known from
    its stage_waiver milestone)."""
    waived_ahead = {
        m["note"].split(":", 1)[0] for m in milestones if m["kind"] == "stage_waiver" and m["note"]
    }
    state = SimpleNamespace(
        programme_id=programme["id"],
        stages=[SimpleNamespace(name=s["name"], status=s["status"]) for s in programme["stages"]],
        waivers={name: "" for name in waived_ahead},
    )
    allowed = []
    for stage in programme_rules.STAGES:
        try:
            programme_rules.check_waive(state, stage, "a reason")
        except RuleViolation:
            continue
        allowed.append(stage)
    return allowed


async def industry_enterprises(session: AsyncSession, industry_code: str) -> list[tuple[str, str]]:
    """The enterprises of the programme's industry, by name."""
    stmt = (
        select(Enterprise.id, Enterprise.name)
        .where(Enterprise.industry_code == industry_code)
        .order_by(Enterprise.name, Enterprise.id)
        .limit(CHOICES)
    )
    return [(i, n) for i, n in (await session.execute(stmt)).all()]


async def cultivating(session: AsyncSession, programme_id: str) -> set[str]:
    """Enterprises of the programme with a live cultivation (a second one is refused)."""
    rows = await session.execute(
        select(BrandCultivation.enterprise_id).where(
            BrandCultivation.programme_id == programme_id,
            BrandCultivation.stage != CULTIVATION.last,
        )
    )
    return set(rows.scalars())


async def linkable_associations(session: AsyncSession, linked: list[str]) -> list[tuple[str, str]]:
    stmt = (
        select(Association.id, Association.name)
        .where(Association.id.not_in(linked) if linked else true())
        .order_by(Association.name, Association.id)
        .limit(CHOICES)
    )
    return [(i, n) for i, n in (await session.execute(stmt)).all()]
