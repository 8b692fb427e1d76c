"""Standards: commands go to the standard workflow, reads come from the read model.

Routes hand in the standard row their permission guard already loaded (recall.standards.access)."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from recall.associations.models import Association
from recall.auth import permissions
from recall.commands import CommandContext
from recall.common.milestones import milestones_of
from recall.common.pagination import keyset_page
from recall.common.rows import columns
from recall.errors import InvalidField, InvalidTransition, NotFound
from recall.programmes.access import visible_programme
from recall.programmes.links import link_member
from recall.rules import standard_rules as rules
from recall.standards.access import draft_refusal
from recall.standards.models import Standard, StandardComment
from recall.standards.projection import project_standard
from recall.standards.schemas import (
    BallotIn,
    CommentIn,
    DispositionIn,
    StandardCreate,
    TransitionIn,
)
from workflows.chain import standard_workflow_id
from workflows.standard import StandardWorkflow
from workflows.standard_types import (
    BallotStandard,
    CommentOnStandard,
    CreateStandard,
    DisposeComment,
    StandardInput,
    StandardState,
    TransitionStandard,
    Vote,
)


def _days(days: float | None) -> int | float | None:
    """Whole days read as integers (30, not 30.0); a period under a day keeps its fraction."""
    return int(days) if days is not None and float(days).is_integer() else days


def standard_summary(standard: Standard) -> dict:
    name, zh = rules.STAGES[standard.stage_code]
    return {
        **columns(standard),
        "comment_period_days": _days(standard.comment_period_days),
        "stage_name": name,
        "stage_name_zh": zh,
    }


async def standard_view(session: AsyncSession, standard_id: str) -> dict:
    standard = await session.get(Standard, standard_id, populate_existing=True)
    comments = await session.execute(
        select(StandardComment)
        .where(StandardComment.standard_id == standard_id)
        .order_by(StandardComment.received_at, StandardComment.id)
        .execution_options(populate_existing=True)
    )
    return {
        **standard_summary(standard),
        "comments": [columns(c) for c in comments.scalars()],
        "milestones": await milestones_of(session, "standard", standard_id),
    }


async def list_standards(
    *,
    session: AsyncSession,
    programme_id: str | None,
    association_id: str | None,
    kind: str | None,
    stage: str | None,
    limit: int,
    cursor: str | None,
):
    stmt = select(Standard)
    if programme_id:
        stmt = stmt.where(Standard.programme_id == programme_id)
    if association_id:
        stmt = stmt.where(Standard.drafting_association_id == association_id)
    if kind:
        stmt = stmt.where(Standard.kind == kind)
    if stage:
        stmt = stmt.where(Standard.stage_code == stage)
    rows, next_cursor = await keyset_page(
        session,
        stmt,
        [Standard.created_at, Standard.id],
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    return [standard_summary(r) for r in rows], next_cursor


async def create_standard(
    cmd: CommandContext,
    *,
    data: StandardCreate,
) -> dict:
    session, principal, ids = cmd.session, cmd.principal, cmd.ids
    try:
        programme = await visible_programme(session, principal, data.programme_id)
    except NotFound:
        raise InvalidField(
            f"unknown programme '{data.programme_id}'", field="programme_id"
        ) from None
    association_id = data.drafting_association_id
    if association_id is None and principal.role == "association":
        association_id = principal.association_id  # an association drafts for itself
    if association_id is not None and await session.get(Association, association_id) is None:
        raise InvalidField(
            f"unknown association '{association_id}'", field="drafting_association_id"
        )
    if not permissions.may_draft_standard(principal, association_id, programme.region_codes):
        raise draft_refusal(principal, "draft a standard for", f"programme {programme.id}")
    standard_id = ids.new("std")
    state = StandardState(
        standard_id=standard_id,
        programme_id=programme.id,
        title=data.title,
        kind=data.kind,
        drafting_association_id=association_id,
        drafters=list(dict.fromkeys(d.strip() for d in data.drafters if d.strip())),
        created_by=principal.actor,
    )
    programme_id = programme.id
    await cmd.start(
        StandardWorkflow.run,
        StandardInput(state=state),
        workflow_id=standard_workflow_id(standard_id),
        update=StandardWorkflow.create,
        arg=CreateStandard(actor=principal.actor),
        key="create",
        project=project_standard,
    )
    await link_member(
        cmd,
        programme_id=programme_id,
        kind="standard",
        member_id=standard_id,
    )
    return await standard_view(session, standard_id)


async def _command(cmd: CommandContext, standard: Standard, update, arg, key: str):
    """Send one command to the standard workflow; returns what it committed."""
    if standard.stage_code in rules.TERMINAL_STAGES:
        raise InvalidTransition(
            f"standard {standard.id} is {rules.stage_label(standard.stage_code)}; "
            "nothing more can change"
        )
    return await cmd.send(
        standard_workflow_id(standard.id), update, arg, key=key, project=project_standard
    )


async def transition(
    cmd: CommandContext,
    *,
    standard: Standard,
    data: TransitionIn,
) -> dict:
    session, principal = cmd.session, cmd.principal
    standard_id = standard.id
    arg = TransitionStandard(
        actor=principal.actor,
        to=data.to,
        note=data.note,
        comment_period_days=data.comment_period_days,
    )
    await _command(cmd, standard, StandardWorkflow.transition, arg, "transition")
    return await standard_view(session, standard_id)


async def comment(
    cmd: CommandContext,
    *,
    standard: Standard,
    data: CommentIn,
) -> dict:
    session, principal, ids = cmd.session, cmd.principal, cmd.ids
    comment_id = ids.new("cmt")
    arg = CommentOnStandard(
        actor=principal.actor,
        comment_id=comment_id,
        author=data.author,
        text=data.text,
        clause=data.clause,
        organisation=data.organisation,
    )
    await _command(cmd, standard, StandardWorkflow.comment, arg, "comment")
    return columns(await session.get(StandardComment, comment_id, populate_existing=True))


async def dispose(
    cmd: CommandContext,
    *,
    comment: StandardComment,
    data: DispositionIn,
) -> dict:
    session, principal = cmd.session, cmd.principal
    comment_id = comment.id
    standard = await session.get(Standard, comment.standard_id)
    arg = DisposeComment(
        actor=principal.actor,
        comment_id=comment_id,
        disposition=data.disposition,
        reason=data.reason,
    )
    await _command(cmd, standard, StandardWorkflow.dispose, arg, "dispose")
    return columns(await session.get(StandardComment, comment_id, populate_existing=True))


async def ballot(
    cmd: CommandContext,
    *,
    standard: Standard,
    data: BallotIn,
) -> dict:
    principal = cmd.principal
    arg = BallotStandard(
        actor=principal.actor, votes=[Vote(voter=v.voter, vote=v.vote) for v in data.votes]
    )
    committed = await _command(cmd, standard, StandardWorkflow.ballot, arg, "ballot")
    tally = committed.state.ballot
    return {
        "approve": tally.approve,
        "disapprove": tally.disapprove,
        "abstain": tally.abstain,
        "passed": tally.passed,
    }
