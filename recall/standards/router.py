from fastapi import APIRouter

from recall.common.milestones import MilestoneOut, milestones_of
from recall.common.pagination import Cursor, Limit, Page
from recall.common.responses import refusals
from recall.common.text import Filter
from recall.deps import CommandDep, CurrentPrincipal, SessionDep
from recall.standards import service
from recall.standards.access import (
    CommentableStandard,
    DisposableComment,
    StandardFor,
    VisibleStandard,
)
from recall.standards.schemas import (
    BallotIn,
    BallotOut,
    CommentIn,
    CommentOut,
    DispositionIn,
    Kind,
    StageCode,
    StandardCreate,
    StandardOut,
    StandardSummaryOut,
    TransitionIn,
)

router = APIRouter(prefix="/standards", tags=["standards"])

REFUSALS = refusals(
    forbidden="only the drafting association or the programme's regulators may",
    not_found="no such standard or comment",
    conflict="the stage order or a rule forbids this command; detail says why",
)


@router.post("", status_code=201, response_model=StandardOut, responses=REFUSALS)
async def create_standard(
    body: StandardCreate,
    cmd: CommandDep,
):
    """Start a standard (标准) for a programme at `00.00` proposal (提案): its drafting
    association or a regulator of the programme's regions (else 403). Returns it (201)."""
    return await service.create_standard(cmd, data=body)


@router.get("", response_model=Page[StandardSummaryOut])
async def list_standards(
    session: SessionDep,
    principal: CurrentPrincipal,
    programme_id: Filter = None,
    association_id: Filter = None,
    kind: Kind | None = None,
    stage: StageCode | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
):
    """Every standard, by programme, drafting association, kind or stage code. Any
    signed-in caller."""
    items, next_cursor = await service.list_standards(
        session=session,
        programme_id=programme_id,
        association_id=association_id,
        kind=kind,
        stage=stage,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=items, next_cursor=next_cursor)


@router.get("/{standard_id}", response_model=StandardOut, responses=REFUSALS)
async def get_standard(standard: VisibleStandard, session: SessionDep):
    """One standard: kind, stage, comments with their dispositions, ballot, milestones. Any
    signed-in caller; unknown is 404."""
    return await service.standard_view(session, standard.id)


@router.get("/{standard_id}/milestones", response_model=Page[MilestoneOut], responses=REFUSALS)
async def standard_milestones(standard: VisibleStandard, session: SessionDep):
    """The standard's stage history: its milestones (里程碑) in order. Any signed-in
    caller."""
    return Page(items=await milestones_of(session, "standard", standard.id), next_cursor=None)


@router.post("/{standard_id}/transitions", response_model=StandardOut, responses=REFUSALS)
async def transition(
    body: TransitionIn,
    standard: StandardFor("advance"),
    cmd: CommandDep,
):
    """Move a standard to its next stage code, or withdraw it (`95.99`): its drafting
    association or the programme's regulators. A skipped step or early close of comments: 409."""
    return await service.transition(cmd, standard=standard, data=body)


@router.post(
    "/{standard_id}/comments", status_code=201, response_model=CommentOut, responses=REFUSALS
)
async def comment(
    body: CommentIn,
    standard: CommentableStandard,
    cmd: CommandDep,
):
    """Comment on a standard in public comment (征求意见, `40.20`): any signed-in caller.
    Outside the comment period, 409. Returns the comment (201)."""
    return await service.comment(cmd, standard=standard, data=body)


@router.post(
    "/{standard_id}/comments/{comment_id}/disposition",
    response_model=CommentOut,
    responses=REFUSALS,
)
async def dispose(
    body: DispositionIn,
    comment: DisposableComment,
    cmd: CommandDep,
):
    """Record the disposition of a comment (`accepted`; `partially_accepted`, `rejected` with a
    reason): the drafting association or the programme's regulators, in `40.20` or `40.60`."""
    return await service.dispose(cmd, comment=comment, data=body)


@router.post("/{standard_id}/ballot", response_model=BallotOut, responses=REFUSALS)
async def ballot(
    body: BallotIn,
    standard: StandardFor("hold the ballot of"),
    cmd: CommandDep,
):
    """Record the review ballot (审查, `50.20`): voters and votes, drafters excluded; it passes
    with 3/4 of votes cast. The drafting association or the programme's regulators."""
    return await service.ballot(cmd, standard=standard, data=body)
