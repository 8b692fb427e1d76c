"""Writes the standard read model from workflow events. Every write is keyed by the event
sequence, so a retried activity changes nothing twice and an older event never overwrites a
newer one; comments are upserted by id with the same version."""

from sqlalchemy.ext.asyncio import AsyncSession

from recall.common.projection import insert_milestones, jsonable, upsert_versioned
from recall.standards.models import Standard, StandardComment
from workflows.chain import standard_workflow_id
from workflows.standard_types import CommentState, StandardProjection, StandardState


def _standard_values(state: StandardState) -> dict:
    return {
        "id": state.standard_id,
        "programme_id": state.programme_id,
        "title": state.title,
        "kind": state.kind,
        "drafting_association_id": state.drafting_association_id,
        "stage_code": state.stage_code,
        "drafters": list(state.drafters),
        "comment_period_days": state.comment_period_days,
        "comment_period_ends_at": state.comment_period_ends_at,
        "ballot": jsonable(state.ballot),
        "published_at": state.published_at,
        "workflow_id": standard_workflow_id(state.standard_id),
        "created_by": state.created_by,
        "created_at": state.created_at,
    }


def _comment_values(standard_id: str, c: CommentState) -> dict:
    return {
        "id": c.id,
        "standard_id": standard_id,
        "author": c.author,
        "text": c.text,
        "clause": c.clause,
        "organisation": c.organisation,
        "received_at": c.received_at,
        "disposition": c.disposition,
        "reason": c.reason,
        "disposed_at": c.disposed_at,
        "disposed_by": c.disposed_by,
    }


async def project_standard(session: AsyncSession, p: StandardProjection) -> None:
    state, version = p.state, p.state.seq
    values = _standard_values(state)
    values["updated_at"] = p.milestones[-1].at if p.milestones else state.created_at
    await upsert_versioned(session, Standard, values, version)
    for changed in p.comments:
        comment = _comment_values(state.standard_id, changed)
        await upsert_versioned(session, StandardComment, comment, version)
    await insert_milestones(session, "standard", state.standard_id, p.milestones)
    await session.commit()
