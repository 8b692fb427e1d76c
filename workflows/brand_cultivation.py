"""One enterprise in the brand cultivation pool (品字标培育, 梯度培育库): enrolled -> diagnosed ->
improving -> certification_applied -> certified (获证) -> labelled. It ends once labelled."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from recall.rules.ordered_stages import CULTIVATION
    from workflows import activities
    from workflows.chain import REPORT_TO_SIGNAL, ReportTo
    from workflows.member_types import (
        CreateMember,
        CultivationProjection,
        CultivationState,
        StageTransition,
    )
    from workflows.staged_member import StagedMember, with_note

LABELLED_NOTE = (
    '"品字标浙江制造" labelled: the "four 100%" practice (100% product labelling, plant display, '
    "advertising) and the 品字码 quality commitment code"
)


@workflow.defn
class BrandCultivationWorkflow(StagedMember):
    KIND = "cultivation"
    MACHINE = CULTIVATION
    PROJECT_ACTIVITIES = (activities.project_cultivation, activities.project_cultivation_events)
    PROJECTION = CultivationProjection

    @workflow.init
    def __init__(self, state: CultivationState) -> None:
        self._begin(state)

    @workflow.run
    async def run(self, state: CultivationState) -> str:
        if self.state.created_at is None:
            self.state.created_at = workflow.now()
            tier = f", tier {self.state.tier}" if self.state.tier else ""
            self._milestone(
                "enrolled",
                self.state.created_by,
                f"enterprise {self.state.enterprise_id} enrolled in the cultivation pool "
                f"(梯度培育库) of programme {self.state.programme_id}{tier}",
            )
            await self._project()
        await self._serve(lambda: self.state.stage == CULTIVATION.last)
        return self.state.stage

    @workflow.update
    async def create(self, cmd: CreateMember) -> CultivationProjection:
        await self._created()
        return self._current()

    @workflow.update
    async def transition(self, cmd: StageTransition) -> CultivationProjection:
        await self._created()
        self._check(cmd)
        note = cmd.note
        if cmd.to == "certified":
            self.state.certificate_no = cmd.certificate_no.strip()
            self.state.certified_at = workflow.now()
            note = with_note(f"certificate no. {self.state.certificate_no}", cmd.note)
        elif cmd.to == "labelled":
            self.state.labelled_at = workflow.now()
            note = with_note(LABELLED_NOTE, cmd.note)
        return await self._advance(cmd, note)

    @transition.validator
    def _validate_transition(self, cmd: StageTransition) -> None:
        self._check(cmd)

    @workflow.signal(name=REPORT_TO_SIGNAL)
    async def report_to(self, target: ReportTo) -> None:
        await self._report_to(target)

    @workflow.query
    def snapshot(self) -> CultivationState:
        return self.state
