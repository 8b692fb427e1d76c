"""What the association and brand-cultivation workflows share: a stage machine taken in order,
milestones written to the read model by sequence, and reports to the programmes they belong to.

A plain mixin of helper methods: each workflow class declares its own run, updates, signal and
query (Temporal handlers are not inherited here), and calls these helpers from them."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, ClassVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from recall.rules.ordered_stages import OrderedStages
    from workflows.chain import MemberStatus, ReportTo, report_status
    from workflows.journal import Journal, time_to_continue_as_new
    from workflows.member_types import StageTransition

PROGRAMME_PREFIX = "programme-"  # workflows.chain.programme_workflow_id


def programme_id_of(programme_workflow_id: str) -> str:
    return programme_workflow_id.removeprefix(PROGRAMME_PREFIX)


class StagedMember:
    KIND: ClassVar[str]  # MemberStatus.kind: "association" | "cultivation"
    MACHINE: ClassVar[OrderedStages]
    # The domain's projection activities (workflows.activities): one event, a batch of them.
    PROJECT_ACTIVITIES: ClassVar[tuple[Callable, Callable]]
    PROJECTION: ClassVar[type]  # (state=..., milestones=...) -> the activity's input

    state: Any  # AssociationState | CultivationState

    def _begin(self, state: Any) -> None:
        self.state = state
        self.journal = Journal(*self.PROJECT_ACTIVITIES, state)

    @property
    def _label(self) -> str:
        return f"{self.MACHINE.noun} {self.state.member_id}"

    # --- bookkeeping ------------------------------------------------------------------------

    def _milestone(self, kind: str, actor: str, note: str | None = None) -> None:
        self.journal.record(kind, actor, note)

    async def _project(self) -> Any:
        projection = self.PROJECTION(
            state=copy.deepcopy(self.state), milestones=self.journal.take()
        )
        return await self.journal.write(projection)

    def _current(self) -> Any:
        """What a create command answers: the first event of this run, or the state now."""
        return self.journal.first or self.PROJECTION(state=copy.deepcopy(self.state), milestones=[])

    def _status(self) -> MemberStatus:
        return MemberStatus(kind=self.KIND, member_id=self.state.member_id, status=self.state.stage)

    async def _created(self) -> None:
        await self.journal.first_written()

    async def _serve(self, done: Callable[[], bool]) -> None:
        """Take commands until `done()`; continue as new when suggested, carrying the state."""
        while not done():
            seen = self.state.seq
            await workflow.wait_condition(lambda seen=seen: self.state.seq != seen)
            if time_to_continue_as_new():
                await self.journal.settle()
                workflow.continue_as_new(self.state)
        await self.journal.settle()

    # --- the stage machine ------------------------------------------------------------------

    def _check(self, cmd: StageTransition) -> None:
        fields = {"registration_no": cmd.registration_no, "certificate_no": cmd.certificate_no}
        self.journal.check(self.MACHINE.check, self._label, self.state.stage, cmd.to, fields)

    async def _advance(self, cmd: StageTransition, note: str | None) -> Any:
        """Take the step: a milestone, the read model, and the news to every programme."""
        self.state.stage = cmd.to
        self._milestone(cmd.to, cmd.actor, note)
        projection = await self._project()
        await report_status(list(self.state.programme_workflow_ids), self._status())
        return projection

    # --- programmes -------------------------------------------------------------------------

    def _linked(self, programme_id: str) -> None:
        """A hook: what else the member keeps when a programme links it."""

    async def _report_to(self, target: ReportTo) -> None:
        """A programme links this member: keep it, and tell it where the member stands now."""
        await self._created()
        if target.programme_workflow_id not in self.state.programme_workflow_ids:
            programme_id = programme_id_of(target.programme_workflow_id)
            self.state.programme_workflow_ids.append(target.programme_workflow_id)
            self._linked(programme_id)
            self._milestone("linked", "system", f"reports to programme {programme_id}")
            await self._project()
        await report_status([target.programme_workflow_id], self._status())


def with_note(text: str, note: str | None) -> str:
    return f"{text}: {note}" if note else text
