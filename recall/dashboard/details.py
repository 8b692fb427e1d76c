"""The page of one case and of one programme: where it stands and its timeline of milestones.

Both are for signed-in viewers who may see the thing, exactly as GET /api/v1/cases/{id} and
/api/v1/programmes/{id} decide (recall.cases.access, recall.programmes.access); anyone else gets
NotFound, as the API answers. Ids in milestone notes are shown by name where the viewer may see
what they name."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from recall.associations.models import Association
from recall.auth import permissions
from recall.auth.principal import Principal
from recall.cases.access import visible_case
from recall.cases.models import Case
from recall.cases.service import case_view
from recall.cultivations.models import BrandCultivation
from recall.dashboard.i18n import Labels
from recall.dashboard.notes import localized_note
from recall.dashboard.views import Names, percent, when
from recall.errors import NotFound
from recall.programmes.access import visible_programme
from recall.programmes.service import programme_view
from recall.reference.models import Enterprise
from recall.rules.case_rules import TERMINAL_STAGES
from recall.standards.models import Standard

RECALL_PATH = ("reported", "assessed", "recall_planned", "remediating", "verified", "closed")
NO_RECALL_PATH = ("reported", "assessed", "closed_no_recall")
CHAIN_STEP = {"complete": "done", "waived": "done waived", "open": "current"}


def _steps(path: tuple[str, ...], current: str, t: Labels) -> list[dict]:
    reached = path.index(current) if current in path else -1
    if current in TERMINAL_STAGES:
        reached += 1  # a closed case has taken its last step
    return [
        {
            "name": t.code("case_stage", s),
            "status": "done" if i < reached else "current" if i == reached else "pending",
        }
        for i, s in enumerate(path)
    ]


def _timeline(milestones: list, t: Labels, stage_group: str, names: dict[str, str]) -> list:
    out = []
    for m in milestones:
        note = (
            localized_note(m.kind, m.note or "", t) if stage_group == "case_stage" else m.note or ""
        )
        if m.kind.startswith("stage_") and t.knows(stage_group, note):
            note = t.code(stage_group, note)
        for thing_id, name in names.items():
            note = note.replace(thing_id, name)
        out.append(
            {
                "at": when(m.at),
                "kind": m.kind,
                "event": t.code("milestone", m.kind),
                "stage": t.code(stage_group, m.stage),
                "actor": m.actor,
                "note": note,
                "alert": m.kind in ("overdue", "notification_failed"),
            }
        )
    return out


async def _enterprise_name(session: AsyncSession, enterprise_id: str) -> str:
    enterprise = await session.get(Enterprise, enterprise_id)
    return enterprise.name if enterprise else enterprise_id


async def case_page(
    session: AsyncSession, principal: Principal | None, case_id: str, n: Names, t: Labels
) -> dict:
    if principal is None:
        raise NotFound(f"no case {case_id}")
    await visible_case(session, principal, case_id)
    case = await case_view(session, case_id)
    enterprises = {
        e: await _enterprise_name(session, e) for e in {h["enterprise_id"] for h in case["hazards"]}
    }
    hazards = [
        {
            "category": t.code("category", h["category"]),
            "enterprise": enterprises[h["enterprise_id"]],
            "description": h["description"],
            "status": h["status"],
            "status_label": t.code("hazard_status", h["status"]),
            "eliminated_at": when(h["eliminated_at"]),
        }
        for h in case["hazards"]
    ]
    hazard_names = {h["id"]: enterprises[h["enterprise_id"]] for h in case["hazards"]}
    risk, plan = case["risk"] or {}, case["plan"] or {}
    facts = [
        (t("col.stage"), t.code("case_stage", case["stage"])),
        (t("col.industry"), n.industry(case["industry_code"], t.lang)),
        (t("col.region"), n.region(case["region_code"])),
        (t("case.risk"), t.code("risk", risk.get("level"))),
        (t("case.decision"), t.code("decision", case["decision"])),
        (t("case.units"), f"{plan['units_affected']:,}" if plan.get("units_affected") else ""),
        (t("case.remedy"), t.code("remedy", plan.get("remedy"))),
        (t("col.correction_rate"), percent(case["correction_rate"])),
        (t("col.overdue"), t("yes") if case["overdue"] else t("no")),
    ]
    path = NO_RECALL_PATH if case["stage"] == "closed_no_recall" else RECALL_PATH
    page = {
        "case": case,
        "facts": [(k, v) for k, v in facts if v],
        "hazards": hazards,
        "steps": _steps(path, case["stage"], t),
        "programme_link": case["programme_id"] and f"/dashboard/programmes/{case['programme_id']}",
        "milestones": _timeline(case["milestones"], t, "case_stage", hazard_names),
    }
    await session.rollback()  # a read: end it (after the last use of the rows)
    return page


async def _member_names(
    session: AsyncSession, principal: Principal, programme: dict, t: Labels
) -> dict[str, str]:
    """Associations and standards by name; a brand cultivation by its enterprise's name where
    the viewer may see that cultivation, else as what it is."""
    names = {}
    for association_id in programme["association_ids"]:
        association = await session.get(Association, association_id)
        names[association_id] = association.name if association else association_id
    for standard_id in programme["standard_ids"]:
        standard = await session.get(Standard, standard_id)
        names[standard_id] = standard.title if standard else standard_id
    for cultivation_id in programme["cultivation_ids"]:
        cultivation = await session.get(BrandCultivation, cultivation_id)
        names[cultivation_id] = t("programme.cultivations")
        if cultivation and permissions.can_see_cultivation(
            principal, cultivation.enterprise_id, programme["region_codes"]
        ):
            names[cultivation_id] = await _enterprise_name(session, cultivation.enterprise_id)
    return names


def _moment(value: str | datetime | None) -> datetime | None:
    """Stage times are kept as ISO strings in the programme's JSON column."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


async def programme_page(
    session: AsyncSession, principal: Principal | None, programme_id: str, n: Names, t: Labels
) -> dict:
    if principal is None:
        raise NotFound(f"no programme {programme_id}")
    await visible_programme(session, principal, programme_id)
    programme = await programme_view(session, programme_id)
    stages = [
        {
            "name": t.code("programme_stage", s["name"]),
            "step": CHAIN_STEP.get(s["status"], "pending"),
            "status_label": t.code("stage_status", s["status"]),
            "opened_at": when(_moment(s.get("opened_at"))),
            "completed_at": when(_moment(s.get("completed_at"))),
            "waiver_reason": s.get("waiver_reason"),
        }
        for s in programme["stages"]
    ]
    cases, names = [], await _member_names(session, principal, programme, t)
    for case_id in programme["case_ids"]:
        case = await session.get(Case, case_id)
        if case and permissions.can_see_case(principal, case.region_code, case.enterprise_ids):
            cases.append(
                {
                    "link": f"/dashboard/cases/{case.id}",
                    "number": case.number,
                    "title": case.title,
                    "stage": t.code("case_stage", case.stage),
                }
            )
            names[case.id] = case.number
    page = {
        "programme": programme,
        "stages": stages,
        "cases": cases,
        "industry": n.industry(programme["industry_code"], t.lang),
        "regions": [n.region(r) for r in programme["region_codes"]],
        "since": t(
            "programme.since",
            stage=t.code("programme_stage", programme["stage"]),
            since=when(programme["stage_since"]),
        ),
        "members": {
            "association": len(programme["association_ids"]),
            "standard": len(programme["standard_ids"]),
            "cultivation": len(programme["cultivation_ids"]),
        },
        "milestones": _timeline(programme["milestones"], t, "programme_stage", names),
    }
    await session.rollback()  # a read: end it (after the last use of the rows)
    return page
