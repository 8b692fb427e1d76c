"""One standard (标准), from proposal to publication, with its public comment period as a durable
timer. It reports every stage change to the programmes it belongs to (workflows.chain)."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from recall.rules import standard_rules as rules
    from workflows import activities
    from workflows.chain import REPORT_TO_SIGNAL, MemberStatus, ReportTo, report_status
    from workflows.journal import Journal, time_to_continue_as_new
    from workflows.standard_types import (
        BallotStandard,
        BallotState,
        CommentOnStandard,
        CommentState,
        CreateStandard,
        DisposeComment,
        StandardInput,
        StandardProjection,
        StandardState,
        TransitionStandard,
    )

# The milestone kind of arriving at each stage.
STAGE_MILESTONES = {
    "00.00": "proposed",
    "10.99": "project_approved",
    "20.00": "drafting_started",
    "40.20": "public_comment_opened",
    "40.60": "comments_closed",
    "50.20": "review_started",
    "50.60": "approved",
    "60.60": "published",
    "95.99": "withdrawn",
}


def _with_note(text: str, note: str | None) -> str:
    return f"{text}: {note}" if note else text


@workflow.defn
class StandardWorkflow:
    @workflow.init
    def __init__(self, input: StandardInput) -> None:
        self.state: StandardState = input.state
        self.continue_as_new_after_events = input.continue_as_new_after_events
        self.journal = Journal(
            activities.project_standard, activities.project_standard_events, self.state
        )
        self._changed_comments: set[str] = set()
        self._unreported: list[str] = []
        self._wakeups = 0  # every handler bumps it, so the main loop looks again

    # --- the process ----------------------------------------------------------------------

    @workflow.run
    async def run(self, input: StandardInput) -> str:
        if self.state.created_at is None:
            self.state.created_at = workflow.now()
            self._milestone(
                "proposed", self.state.created_by, f"{self.state.kind} standard: {self.state.title}"
            )
            await self._project()

        while self.state.stage_code not in rules.TERMINAL_STAGES:
            seen = self._wakeups
            ends = self._comment_period_end()
            if ends is None:
                await workflow.wait_condition(lambda seen=seen: self._wakeups != seen)
            else:
                wait = (ends - workflow.now()).total_seconds()
                if wait > 0:
                    with contextlib.suppress(TimeoutError):  # the period is over
                        await workflow.wait_condition(
                            lambda seen=seen: self._wakeups != seen,
                            timeout=timedelta(seconds=wait),
                        )
                if self._comment_period_over():
                    await self._close_comments()
            if time_to_continue_as_new(self.continue_as_new_after_events):
                await self.journal.settle()
                workflow.continue_as_new(
                    StandardInput(
                        state=self.state,
                        continue_as_new_after_events=self.continue_as_new_after_events,
                    )
                )

        await self.journal.settle()
        return self.state.stage_code

    def _comment_period_end(self) -> datetime | None:
        if self.state.stage_code != rules.PUBLIC_COMMENT:
            return None
        return self.state.comment_period_ends_at

    def _comment_period_over(self) -> bool:
        ends = self._comment_period_end()
        return ends is not None and workflow.now() >= ends

    def _enter_comments_closed(self) -> None:
        """The end of public comment: a system act, never a person's."""
        n = len(self.state.comments)
        ends = self.state.comment_period_ends_at
        self._stage(
            rules.COMMENTS_CLOSED,
            "system",
            f"public comment ended at {ends.isoformat()}; {n} comment{'' if n == 1 else 's'}",
        )

    async def _close_comments(self) -> None:
        self._enter_comments_closed()
        await self._project()
        await self._report()

    # --- bookkeeping ------------------------------------------------------------------------

    def _milestone(self, kind: str, actor: str, note: str | None = None) -> None:
        self._wakeups += 1
        self.journal.record(kind, actor, note)

    def _stage(self, to: str, actor: str, note: str | None) -> None:
        self.state.stage_code = to
        self._milestone(STAGE_MILESTONES[to], actor, note)
        self._unreported.append(to)

    async def _project(self) -> StandardProjection:
        projection = StandardProjection(
            state=copy.deepcopy(dataclasses.replace(self.state, comments={})),
            comments=[
                copy.deepcopy(self.state.comments[c]) for c in sorted(self._changed_comments)
            ],
            milestones=self.journal.take(),
        )
        self._changed_comments = set()
        return await self.journal.write(projection)

    async def _report(self) -> None:
        """Tell the programmes every stage change, in order."""
        stages, self._unreported = self._unreported, []
        for stage in stages:
            await report_status(self.state.programme_workflow_ids, self._status(stage))

    def _status(self, stage: str) -> MemberStatus:
        return MemberStatus(kind="standard", member_id=self.state.standard_id, status=stage)

    async def _created(self) -> None:
        await self.journal.first_written()

    # --- the programme link -----------------------------------------------------------------

    @workflow.signal(name=REPORT_TO_SIGNAL)
    async def report_to(self, link: ReportTo) -> None:
        target = link.programme_workflow_id
        if target not in self.state.programme_workflow_ids:
            self.state.programme_workflow_ids.append(target)
        self._wakeups += 1
        await report_status([target], self._status(self.state.stage_code))

    # --- commands -------------------------------------------------------------------------
    # Each validator refuses before history; each handler checks again because two updates in
    # one activation both pass their validators before either handler runs.

    @workflow.update
    async def create(self, cmd: CreateStandard) -> StandardProjection:
        await self._created()
        return self.journal.first or self._current()

    def _current(self) -> StandardProjection:
        """The standard as it stands, for a create command sent again after continue-as-new."""
        state = copy.deepcopy(dataclasses.replace(self.state, comments={}))
        return StandardProjection(state=state, comments=[], milestones=[])

    @workflow.update
    async def transition(self, cmd: TransitionStandard) -> StandardProjection:
        await self._created()
        self.journal.check(rules.check_transition, self.state, cmd.to, cmd.comment_period_days)
        before = self.state.stage_code
        note = cmd.note
        if cmd.to == rules.PUBLIC_COMMENT:
            days = cmd.comment_period_days
            days = rules.DEFAULT_COMMENT_PERIOD_DAYS if days is None else days
            ends = workflow.now() + timedelta(days=days)
            self.state.comment_period_days, self.state.comment_period_ends_at = days, ends
            note = _with_note(f"public comment for {days:g} days, until {ends.isoformat()}", note)
        elif cmd.to == rules.WITHDRAWN:
            note = _with_note(f"withdrawn at {rules.stage_label(before)}", note)
        elif cmd.to == rules.PUBLISHED:
            self.state.published_at = workflow.now()
        self._stage(cmd.to, cmd.actor, note)
        if self._comment_period_over():  # a period of 0 days ends at once
            self._enter_comments_closed()
        projection = await self._project()
        await self._report()
        return projection

    @transition.validator
    def _validate_transition(self, cmd: TransitionStandard) -> None:
        self.journal.check(rules.check_transition, self.state, cmd.to, cmd.comment_period_days)

    @workflow.update
    async def comment(self, cmd: CommentOnStandard) -> StandardProjection:
        await self._created()
        self.journal.check(rules.check_comment, self.state, cmd.comment_id, workflow.now())
        self.state.comments[cmd.comment_id] = CommentState(
            id=cmd.comment_id,
            author=cmd.author,
            text=cmd.text,
            clause=cmd.clause,
            received_at=workflow.now(),
            organisation=cmd.organisation,
        )
        self._changed_comments.add(cmd.comment_id)
        where = f" on clause {cmd.clause}" if cmd.clause else ""
        self._milestone("comment_received", cmd.actor, f"{cmd.comment_id} from {cmd.author}{where}")
        return await self._project()

    @comment.validator
    def _validate_comment(self, cmd: CommentOnStandard) -> None:
        self.journal.check(rules.check_comment, self.state, cmd.comment_id, workflow.now())

    @workflow.update
    async def dispose(self, cmd: DisposeComment) -> StandardProjection:
        await self._created()
        self.journal.check(
            rules.check_dispose, self.state, cmd.comment_id, cmd.disposition, cmd.reason
        )
        comment = self.state.comments[cmd.comment_id]
        comment.disposition, comment.reason = cmd.disposition, cmd.reason
        comment.disposed_at, comment.disposed_by = workflow.now(), cmd.actor
        self._changed_comments.add(cmd.comment_id)
        self._milestone(
            "comment_disposed",
            cmd.actor,
            _with_note(f"{cmd.comment_id} {cmd.disposition}", cmd.reason),
        )
        return await self._project()

    @dispose.validator
    def _validate_dispose(self, cmd: DisposeComment) -> None:
        self.journal.check(
            rules.check_dispose, self.state, cmd.comment_id, cmd.disposition, cmd.reason
        )

    @workflow.update
    async def ballot(self, cmd: BallotStandard) -> StandardProjection:
        await self._created()
        self.journal.check(rules.check_ballot, self.state, [(v.voter, v.vote) for v in cmd.votes])
        t = rules.tally(v.vote for v in cmd.votes)
        self.state.ballot = BallotState(
            approve=t.approve,
            disapprove=t.disapprove,
            abstain=t.abstain,
            passed=t.passed,
            votes=list(cmd.votes),
            at=workflow.now(),
            actor=cmd.actor,
        )
        outcome = "passed" if t.passed else "not passed"
        note = f"{t.approve} approve, {t.disapprove} disapprove, {t.abstain} abstain: {outcome}"
        self._milestone("ballot_recorded", cmd.actor, note)
        return await self._project()

    @ballot.validator
    def _validate_ballot(self, cmd: BallotStandard) -> None:
        self.journal.check(rules.check_ballot, self.state, [(v.voter, v.vote) for v in cmd.votes])

    @workflow.query
    def snapshot(self) -> StandardState:
        return self.state
