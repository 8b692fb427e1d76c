"""The read model against the workflows' state: a case or a standard as its workflow holds it
(its query) compared field by field with its rows, with exactly one milestone per committed
event; and the API calls that bring a case or a standard to where such a comparison is worth
making."""

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from recall.cases.models import Case, Hazard
from recall.common.models import Milestone
from recall.standards.models import Standard, StandardComment
from tests.api.eventually import eventually
from tests.api.helpers import ok, seed
from workflows.chain import standard_workflow_id
from workflows.recall_case import RecallCaseWorkflow
from workflows.shared import case_workflow_id
from workflows.standard import StandardWorkflow

Sessions = async_sessionmaker[AsyncSession]


async def remediating_case(api: httpx.AsyncClient) -> tuple[str, str]:
    """Seed the reference data and bring a case to remediating: (case id, an enterprise id)."""
    data = await seed(api)
    case = await ok(api.post("/cases", json={"defect_report_ids": [data["report"]["id"]]}), 201)
    cid = case["id"]
    await ok(api.post(f"/cases/{cid}/assessment", json={"severity": 4, "probability": "gt_1_100"}))
    await ok(api.post(f"/cases/{cid}/decision", json={"decision": "voluntary_recall"}))
    plan = {"units_affected": 1000, "remedy": "refund", "summary": "退款召回"}
    await ok(api.post(f"/cases/{cid}/plan", json=plan))
    await ok(api.post(f"/cases/{cid}/plan/acceptance", json={}))
    return cid, data["enterprises"][0]["id"]


async def standard_in_public_comment(
    api: httpx.AsyncClient, *, case_id: str | None = None, comment_period_days: float = 30
) -> str:
    """A standard of a programme over `case_id` (without one, seed and open a case first),
    brought to public comment (40.20) for `comment_period_days`; returns its id."""
    if case_id is None:
        data = await seed(api)
        body = {"defect_report_ids": [data["report"]["id"]]}
        case_id = (await ok(api.post("/cases", json=body), 201))["id"]
    programme = await ok(
        api.post(
            "/programmes",
            json={
                "industry_code": "magnetic-toys",
                "case_ids": [case_id],
                "title": "巴克球产业提升",
            },
        ),
        201,
    )
    standard = await ok(
        api.post(
            "/standards",
            json={
                "programme_id": programme["id"],
                "title": "磁力玩具 安全技术要求",
                "kind": "group",
            },
        ),
        201,
    )
    sid = standard["id"]
    for to in ("10.99", "20.00"):
        await ok(api.post(f"/standards/{sid}/transitions", json={"to": to}))
    await ok(
        api.post(
            f"/standards/{sid}/transitions",
            json={"to": "40.20", "comment_period_days": comment_period_days},
        )
    )
    return sid


async def milestone_seqs(db: Sessions, subject_type: str, subject_id: str) -> list[int]:
    async with db() as session:
        result = await session.execute(
            select(Milestone.seq)
            .where(Milestone.subject_type == subject_type, Milestone.subject_id == subject_id)
            .order_by(Milestone.seq)
        )
        return list(result.scalars())


async def settled(differences, timeout: float = 30) -> list[str]:
    """The differences once the workflow has written all it committed: its projection activity
    runs in its own time, and a command answered 503 may still land. Differences that last are
    real; the last ones read are returned."""
    try:
        return await eventually(differences, lambda found: not found, timeout=timeout)
    except AssertionError as still:
        return [str(still)]


async def case_differences(client: Client, db: Sessions, case_id: str) -> list[str]:
    """Every way the case's rows differ from its workflow's state now."""
    handle = client.get_workflow_handle(case_workflow_id(case_id))
    state = await handle.query(RecallCaseWorkflow.snapshot)
    differences = []
    async with db() as session:
        row = await session.get(Case, case_id, populate_existing=True)
        hazards = {
            h.id: h
            for h in (await session.execute(select(Hazard).where(Hazard.case_id == case_id)))
            .scalars()
            .all()
        }
    for name in ("stage", "number", "decision", "units_corrected"):
        if getattr(row, name) != getattr(state, name):
            differences.append(
                f"case {name}: row {getattr(row, name)!r}, workflow {getattr(state, name)!r}"
            )
    if row.version != state.seq:
        differences.append(f"case version {row.version}, workflow seq {state.seq}")
    if set(hazards) != set(state.hazards):
        extra, missing = set(hazards) - set(state.hazards), set(state.hazards) - set(hazards)
        differences.append(
            f"hazards only in the read model {sorted(extra)}, missing {sorted(missing)}"
        )
    for hid, h in state.hazards.items():
        r = hazards.get(hid)
        if r is None:
            continue
        for name in ("status", "description", "evidence", "enterprise_id", "category"):
            if getattr(r, name) != getattr(h, name):
                differences.append(
                    f"hazard {hid} {name}: {getattr(r, name)!r} != {getattr(h, name)!r}"
                )
    seqs = await milestone_seqs(db, "case", case_id)
    if seqs != list(range(1, state.seq + 1)):
        differences.append(f"milestones {seqs} for events 1..{state.seq}")
    return differences


async def standard_differences(client: Client, db: Sessions, sid: str) -> list[str]:
    """Every way the standard's rows differ from its workflow's state now."""
    handle = client.get_workflow_handle(standard_workflow_id(sid))
    state = await handle.query(StandardWorkflow.snapshot)
    async with db() as session:
        row = await session.get(Standard, sid, populate_existing=True)
        found = select(StandardComment).where(StandardComment.standard_id == sid)
        rows = {c.id: c for c in (await session.execute(found)).scalars()}
    differences = []
    if set(rows) != set(state.comments):
        differences.append(f"comments {sorted(set(rows) ^ set(state.comments))} differ")
    differences += [
        f"comment {cid} text"
        for cid, c in state.comments.items()
        if cid in rows and rows[cid].text != c.text
    ]
    if (row.stage_code, row.version) != (state.stage_code, state.seq):
        differences.append(
            f"standard row {row.stage_code}@{row.version}, workflow {state.stage_code}@{state.seq}"
        )
    seqs = await milestone_seqs(db, "standard", sid)
    if seqs != list(range(1, state.seq + 1)):
        differences.append(f"milestones {seqs} for events 1..{state.seq}")
    return differences
