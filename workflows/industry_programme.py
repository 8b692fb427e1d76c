"""One industry programme: hazard elimination -> association formation -> standard drafting ->
brand cultivation -> completed. It learns what happens from its members' signals."""

from __future__ import annotations

import copy

from temporalio import workflow
from temporalio.exceptions import FailureError

with workflow.unsafe.imports_passed_through():
    from recall.rules import programme_rules as rules
    from workflows import activities
    from workflows.chain import (
        MEMBER_STATUS_SIGNAL,
        REPORT_TO_SIGNAL,
        LinkMember,
        MemberStatus,
        ProgrammeInput,
        ProgrammeProjection,
        ProgrammeState,
        ReportTo,
        StartProgramme,
        WaiveStage,
        member_workflow_id,
        programme_workflow_id,
    )
    from workflows.journal import Journal, time_to_continue_as_new

# Runs before this patch named the first stage in every stage_complete/stage_waived milestone.
MILESTONE_NAMES_ITS_STAGE = "milestone-names-its-stage"


@workflow.defn
class IndustryProgrammeWorkflow:
    @workflow.init
    def __init__(self, input: ProgrammeInput) -> None:
        self.state: ProgrammeState = input.state
        self.cas_after = input.continue_as_new_after_events
        self.journal = Journal(
            activities.project_programme, activities.project_programme_events, self.state
        )
        self._changed = 0  # bumped by every signal or update: wakes the main loop

    @workflow.run
    async def run(self, input: ProgrammeInput) -> None:
        s = self.state
        if s.started_at is None:
            s.started_at = workflow.now()
            self._open(s.stages[0])
            self._milestone("started", s.created_by, f"{len(s.members['case'])} case(s)")
            await self._project()
            for case_id in s.members["case"]:
                await self._ask_to_report("case", case_id)

        # A completed programme keeps running: members linked later still report to it.
        while True:
            self._advance()
            if self.journal.pending:
                await self._project()
                continue
            seen = self._changed
            await workflow.wait_condition(
                lambda seen=seen: self._changed != seen or bool(self.journal.pending)
            )
            await self._maybe_continue_as_new()

    def _advance(self) -> None:
        """Complete the open stage while it is waived or done; each completion opens the next."""
        s = self.state
        while s.completed_at is None:
            current = next(st for st in s.stages if st.status == "open")
            if current.name in s.waivers:
                self._finish(current, "waived", s.waivers[current.name])
            elif rules.stage_complete(current.name, s.members):
                self._finish(current, "complete", None)
            else:
                return

    def _open(self, stage) -> None:
        stage.status, stage.opened_at = "open", workflow.now()

    def _finish(self, stage, status: str, reason: str | None) -> None:
        now = workflow.now()
        stage.status, stage.completed_at, stage.waiver_reason = status, now, reason
        # Between one stage and the next none is open: the milestone names its own stage.
        about = stage.name if workflow.patched(MILESTONE_NAMES_ITS_STAGE) else None
        self._milestone(f"stage_{status}", "system", stage.name, stage=about)
        following = [st for st in self.state.stages if st.status == "pending"]
        if following:
            self._open(following[0])
            self._milestone("stage_opened", "system", following[0].name)
        else:
            self.state.completed_at = now
            self._milestone("completed", "system", "the whole chain is done")

    async def _maybe_continue_as_new(self) -> None:
        if time_to_continue_as_new(self.cas_after):
            await self.journal.settle()
            workflow.continue_as_new(
                ProgrammeInput(state=self.state, continue_as_new_after_events=self.cas_after)
            )

    async def _ask_to_report(self, kind: str, member_id: str) -> None:
        target = workflow.get_external_workflow_handle(member_workflow_id(kind, member_id))
        try:
            await target.signal(
                REPORT_TO_SIGNAL, ReportTo(programme_workflow_id(self.state.programme_id))
            )
        except FailureError:
            # A member whose process has ended (a closed case) cannot report; what it was when
            # it ended came with the programme's input.
            workflow.logger.info("%s %s no longer takes signals", kind, member_id)

    # --- bookkeeping ------------------------------------------------------------------------

    def _milestone(
        self, kind: str, actor: str, note: str | None = None, stage: str | None = None
    ) -> None:
        self.journal.record(kind, actor, note, stage)

    async def _project(self) -> ProgrammeProjection:
        return await self.journal.write(
            ProgrammeProjection(state=copy.deepcopy(self.state), milestones=self.journal.take())
        )

    def _current(self) -> ProgrammeProjection:
        """The programme as it stands, for a command that changed nothing."""
        return ProgrammeProjection(state=copy.deepcopy(self.state), milestones=[])

    # --- messages ---------------------------------------------------------------------------

    @workflow.signal(name=MEMBER_STATUS_SIGNAL)
    def member_status(self, status: MemberStatus) -> None:
        known = self.state.members.setdefault(status.kind, {})
        if status.member_id in known:  # only linked members count
            known[status.member_id] = status
            self._advance()
            self._changed += 1

    @workflow.update
    async def start(self, cmd: StartProgramme) -> ProgrammeProjection:
        await self.journal.first_written()
        return self.journal.first or self._current()

    @workflow.update
    async def link_member(self, cmd: LinkMember) -> ProgrammeProjection:
        await self.journal.first_written()
        self.journal.check(rules.check_link, cmd.kind)
        members = self.state.members[cmd.kind]
        if cmd.member_id in members:
            return self._current()  # linked already: nothing changes
        members[cmd.member_id] = MemberStatus(
            kind=cmd.kind, member_id=cmd.member_id, status="linked"
        )
        self._milestone(f"{cmd.kind}_linked", cmd.actor, cmd.member_id)
        self._changed += 1
        self._advance()
        projection = await self._project()
        await self._ask_to_report(cmd.kind, cmd.member_id)
        return projection

    @link_member.validator
    def _validate_link(self, cmd: LinkMember) -> None:
        self.journal.check(rules.check_link, cmd.kind)

    @workflow.update
    async def waive(self, cmd: WaiveStage) -> ProgrammeProjection:
        await self.journal.first_written()
        self.journal.check(rules.check_waive, self.state, cmd.stage, cmd.reason)
        self.state.waivers[cmd.stage] = cmd.reason
        self._milestone("stage_waiver", cmd.actor, f"{cmd.stage}: {cmd.reason}")
        self._changed += 1
        self._advance()  # completes it now if it is the open stage, else when it opens
        return await self._project()

    @waive.validator
    def _validate_waive(self, cmd: WaiveStage) -> None:
        self.journal.check(rules.check_waive, self.state, cmd.stage, cmd.reason)

    @workflow.query
    def snapshot(self) -> ProgrammeState:
        return self.state
