"""Starting an industry programme from cases of one industry (`start_programme`), offered on a
programme's page and on the page of a case in no programme yet; sent to
POST /desk/programmes/start_programme. A refusal is shown on the page the form came from."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from recall.auth import permissions
from recall.auth.principal import Principal
from recall.cases.access import scope_cases
from recall.cases.models import Case
from recall.dashboard.i18n import Labels
from recall.desk.chain_act import fresh
from recall.desk.forms import Submitted

ACTION = "/desk/programmes/start_programme"
SHOWN = 100  # cases offered at most


async def startable_cases(
    session: AsyncSession, principal: Principal, industry_code: str | None, t: Labels
) -> list[dict]:
    """Cases of the industry this person may see and start a programme from, in none yet."""
    if not industry_code or not (principal.is_admin or principal.role == "regulator"):
        return []
    stmt = scope_cases(
        select(Case).where(Case.industry_code == industry_code, Case.programme_id.is_(None)),
        principal,
    )
    rows = await session.execute(stmt.order_by(Case.created_at.desc(), Case.id).limit(SHOWN))
    return [
        {
            "id": c.id,
            "number": c.number,
            "title": c.title,
            "stage": t.code("case_stage", c.stage),
        }
        for c in rows.scalars()
        if permissions.may_run_programme(principal, [c.region_code] if c.region_code else [])
    ]


def start_form(
    cases: list[dict],
    industry_code: str,
    origin: str,
    submitted: Submitted | None = None,
    case_ids: Iterable[str] = (),
    required: str | None = None,
) -> dict[str, Any] | None:
    """The form's context: its cases, which are ticked (`case_ids`), where it was sent from;
    None when no case can start a programme, or the `required` one cannot. A refused form
    keeps what was ticked and typed."""
    if not cases or (required and all(c["id"] != required for c in cases)):
        return None
    f = submitted if submitted and submitted.act == "start_programme" else None
    picked = set(f.values.get("case_ids") or []) if f else set(case_ids)
    return {
        "f": f or fresh("start_programme"),
        "cases": [{**c, "picked": c["id"] in picked} for c in cases],
        "industry_code": industry_code,
        "origin": origin,
        "action": ACTION,
    }
