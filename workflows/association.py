"""One industry association (行业协会): proposed -> preparing -> charter_adopted -> registered.

It keeps running once registered: a registered association can still be linked to more
programmes, and reports to each of them."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from recall.rules.ordered_stages import ASSOCIATION
    from workflows import activities
    from workflows.chain import REPORT_TO_SIGNAL, ReportTo
    from workflows.member_types import (
        AssociationProjection,
        AssociationState,
        CreateMember,
        StageTransition,
    )
    from workflows.staged_member import StagedMember, with_note


@workflow.defn
class AssociationWorkflow(StagedMember):
    KIND = "association"
    MACHINE = ASSOCIATION
    PROJECT_ACTIVITIES = (activities.project_association, activities.project_association_events)
    PROJECTION = AssociationProjection

    @workflow.init
    def __init__(self, state: AssociationState) -> None:
        self._begin(state)

    @workflow.run
    async def run(self, state: AssociationState) -> str:
        if self.state.created_at is None:
            self.state.created_at = workflow.now()
            founders = len(self.state.founding_enterprise_ids)
            self._milestone(
                "proposed", self.state.created_by, f"{self.state.name}: {founders} founding members"
            )
            await self._project()
        await self._serve(lambda: False)  # until continue-as-new or termination
        return self.state.stage

    def _linked(self, programme_id: str) -> None:
        if programme_id not in self.state.programme_ids:
            self.state.programme_ids.append(programme_id)

    @workflow.update
    async def create(self, cmd: CreateMember) -> AssociationProjection:
        await self._created()
        return self._current()

    @workflow.update
    async def transition(self, cmd: StageTransition) -> AssociationProjection:
        await self._created()
        self._check(cmd)
        note = cmd.note
        if cmd.to == "registered":
            self.state.registration_no = cmd.registration_no.strip()
            self.state.registered_at = workflow.now()
            note = with_note(f"registration no. {self.state.registration_no}", cmd.note)
        return await self._advance(cmd, note)

    @transition.validator
    def _validate_transition(self, cmd: StageTransition) -> None:
        self._check(cmd)

    @workflow.signal(name=REPORT_TO_SIGNAL)
    async def report_to(self, target: ReportTo) -> None:
        await self._report_to(target)

    @workflow.query
    def snapshot(self) -> AssociationState:
        return self.state
