"""One recall case, from defect report to closure, with its deadlines as durable timers."""

from __future__ import annotations

import asyncio
import copy
import dataclasses
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from recall.rules import case_rules
    from recall.rules.risk import risk_level
    from recall.rules.working_days import add_days
    from workflows import activities
    from workflows.chain import REPORT_TO_SIGNAL, MemberStatus, ReportTo, report_status
    from workflows.journal import Journal, time_to_continue_as_new
    from workflows.shared import (
        AcceptPlan,
        AddHazard,
        AssessCase,
        CaseInput,
        CaseProjection,
        CaseState,
        CloseCase,
        DecideCase,
        EliminateHazard,
        HazardState,
        OpenCase,
        OverdueNotice,
        Plan,
        ReopenHazard,
        ReportProgress,
        ReturnPlan,
        Risk,
        SubmitPlan,
        VerifyCase,
    )

PROJECTION_TIMEOUT = timedelta(seconds=30)
# Runs that added a hazard before this patch keep the enterprises their reports named.
HAZARD_ENTERPRISE_JOINS = "hazard-enterprise-joins-case"
# Runs recorded before this cancel and start their deadline timer again on every command.
KEEP_DEADLINE_TIMER = "keep-deadline-timer"
NOTIFY_RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), maximum_attempts=8)


@workflow.defn
class RecallCaseWorkflow:
    @workflow.init
    def __init__(self, input: CaseInput) -> None:
        self.state: CaseState = input.state
        self.deadlines = input.deadlines
        self.cas_after = input.continue_as_new_after_events
        self.journal = Journal(activities.project_case, activities.project_case_events, self.state)
        self._changed_hazards: set[str] = set()

    # --- the process ----------------------------------------------------------------------

    @workflow.run
    async def run(self, input: CaseInput) -> str:
        if self.state.seq == 0:
            self.state.opened_at = workflow.now()
            if self.state.number is None:  # runs recorded before the API gave the number
                self.state.number = await workflow.execute_local_activity(
                    activities.open_case, self.state, start_to_close_timeout=PROJECTION_TIMEOUT
                )
            self._milestone("reported", self.state.created_by, "case opened")
            await self._project(answered=True)

        while self.state.stage not in case_rules.TERMINAL_STAGES:
            seen = self.state.seq
            deadline = self._next_deadline()
            if deadline is None:
                await workflow.wait_condition(lambda seen=seen: self.state.seq != seen)
            else:
                item, due = deadline
                wait = max((due - workflow.now()).total_seconds(), 0)
                try:
                    if workflow.patched(KEEP_DEADLINE_TIMER):
                        await self._until_deadline_changes(deadline, wait)
                    else:
                        await workflow.wait_condition(
                            lambda seen=seen: self.state.seq != seen,
                            timeout=timedelta(seconds=wait),
                        )
                except TimeoutError:
                    await self._mark_overdue(item, due)
            if time_to_continue_as_new(self.cas_after):
                await self.journal.settle()
                workflow.continue_as_new(
                    CaseInput(
                        state=self.state,
                        deadlines=self.deadlines,
                        continue_as_new_after_events=self.cas_after,
                    )
                )

        await self.journal.settle()
        return self.state.stage

    async def _until_deadline_changes(self, deadline: tuple[str, datetime], wait: float) -> None:
        """Wait until the deadline set is another, or the case must continue as new; TimeoutError
        when it passes first. One timer for as long as the deadline stands: the commands that
        leave it as it was (most of them) neither cancel nor start one."""
        timer = asyncio.ensure_future(workflow.sleep(wait))
        try:
            while True:
                seen = self.state.seq
                await workflow.wait_condition(
                    lambda seen=seen: self.state.seq != seen or timer.done()
                )
                if self._next_deadline() != deadline:
                    return
                if timer.done():
                    raise TimeoutError
                if self.state.stage in case_rules.TERMINAL_STAGES:
                    return
                if time_to_continue_as_new(self.cas_after):
                    return
        finally:
            if not timer.done():
                timer.cancel()

    def _next_deadline(self) -> tuple[str, datetime] | None:
        """The deadline to set a timer for: the one running, not one already missed."""
        return self._deadline(skip=set(self.state.overdue_items))

    def _deadline(self, skip: set[str]) -> tuple[str, datetime] | None:
        s, d = self.state, self.deadlines
        plan_due = s.plan is None or s.plan.returned_at is not None
        if s.decision in case_rules.RECALL_DECISIONS and plan_due and "plan" not in skip:
            since = s.plan.returned_at if s.plan is not None else s.decided_at
            return "plan", d.working_days_after(since, d.plan_working_days)
        if s.stage == "remediating" and "progress_report" not in skip:
            since = s.last_progress_at or s.plan.accepted_at
            if s.remediating_again_at is not None and s.remediating_again_at > since:
                since = s.remediating_again_at
            return "progress_report", add_days(since, d.progress_report_days)
        if s.stage == "verified" and "summary_report" not in skip:
            return "summary_report", d.working_days_after(s.verified_at, d.summary_working_days)
        return None

    async def _mark_overdue(self, item: str, due: datetime) -> None:
        self.state.overdue_items.append(item)
        self._milestone("overdue", "system", f"{item.replace('_', ' ')} was due {due.isoformat()}")
        await self._project()
        notice = OverdueNotice(
            case_id=self.state.case_id,
            number=self.state.number,
            item=item,
            due_at=due,
            detected_at=workflow.now(),
        )
        try:
            await workflow.execute_activity(
                activities.notify_overdue,
                notice,
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=NOTIFY_RETRY,
            )
        except ActivityError as err:
            self._milestone("notification_failed", "system", f"overdue {item}: {err.cause}")
            await self._project()

    def _clear_overdue(self, item: str) -> None:
        if item in self.state.overdue_items:
            self.state.overdue_items.remove(item)

    # --- bookkeeping ------------------------------------------------------------------------

    def _milestone(self, kind: str, actor: str, note: str | None = None) -> None:
        self.journal.record(kind, actor, note)

    async def _project(self, *, answered: bool = False) -> CaseProjection:
        # What the case waits for, and by when: running, or missed and awaited still.
        awaited = self._deadline(skip=set())
        self.state.due_kind, self.state.due_at = awaited or (None, None)
        projection = CaseProjection(
            state=copy.deepcopy(dataclasses.replace(self.state, hazards={})),
            hazards=[copy.deepcopy(self.state.hazards[h]) for h in sorted(self._changed_hazards)],
            milestones=self.journal.take(),
        )
        self._changed_hazards = set()
        await self.journal.write(projection, answered=answered)
        await self._report_to_programmes()
        return projection

    async def _report_to_programmes(self) -> None:
        """Tell the programmes this case belongs to where its hazards stand."""
        s = self.state
        # Cases opened before programmes existed never reach the patch: they have no programmes.
        if not s.programme_workflow_ids or not workflow.patched("report-to-programmes"):
            return
        open_count = len(case_rules.open_hazards(s))
        status = MemberStatus(
            kind="case",
            member_id=s.case_id,
            status=s.stage,
            hazards=len(s.hazards),
            open_hazards=open_count,
        )
        await report_status(list(s.programme_workflow_ids), status)

    @workflow.signal(name=REPORT_TO_SIGNAL)
    async def report_to(self, cmd: ReportTo) -> None:
        if cmd.programme_workflow_id not in self.state.programme_workflow_ids:
            self.state.programme_workflow_ids.append(cmd.programme_workflow_id)
        await self._opened()
        await self._report_to_programmes()

    async def _opened(self) -> None:
        await workflow.wait_condition(lambda: self.state.number is not None)

    # --- commands -------------------------------------------------------------------------
    # Each validator refuses before history; each handler checks again because two updates in
    # one activation both pass their validators before either handler runs.

    @workflow.update
    async def open(self, cmd: OpenCase) -> CaseProjection:
        await self.journal.first_written()
        return self.journal.first or self._current()

    def _current(self) -> CaseProjection:
        """The case as it stands, for a create command sent again after continue-as-new."""
        return CaseProjection(
            state=copy.deepcopy(dataclasses.replace(self.state, hazards={})),
            hazards=[],
            milestones=[],
        )

    @workflow.update
    async def assess(self, cmd: AssessCase) -> CaseProjection:
        await self._opened()
        self.journal.check(self._check_assess, cmd)
        computed = risk_level(cmd.severity, cmd.probability)
        level = cmd.level_override or computed
        self.state.risk = Risk(
            severity=cmd.severity,
            probability=cmd.probability,
            level=level,
            computed_level=computed,
            overridden=cmd.level_override is not None,
            override_reason=cmd.override_reason,
        )
        self.state.stage = "assessed"
        note = f"risk {level} (severity {cmd.severity}, probability {cmd.probability})"
        if cmd.level_override:
            note += f"; matrix gave {computed}, overridden: {cmd.override_reason}"
        self._milestone("assessed", cmd.actor, note)
        return await self._project()

    @assess.validator
    def _validate_assess(self, cmd: AssessCase) -> None:
        self.journal.check(self._check_assess, cmd)

    def _check_assess(self, cmd: AssessCase) -> None:
        case_rules.check_assess(
            self.state, cmd.severity, cmd.probability, cmd.level_override, cmd.override_reason
        )

    @workflow.update
    async def decide(self, cmd: DecideCase) -> CaseProjection:
        await self._opened()
        self.journal.check(case_rules.check_decide, self.state, cmd.decision)
        self.state.decision, self.state.decision_reason = cmd.decision, cmd.reason
        self.state.decided_at = workflow.now()
        if cmd.decision == "no_recall":
            self.state.stage = "closed_no_recall"
        self._milestone(
            "decided", cmd.actor, f"{cmd.decision}" + (f": {cmd.reason}" if cmd.reason else "")
        )
        return await self._project()

    @decide.validator
    def _validate_decide(self, cmd: DecideCase) -> None:
        self.journal.check(case_rules.check_decide, self.state, cmd.decision)

    @workflow.update
    async def submit_plan(self, cmd: SubmitPlan) -> CaseProjection:
        await self._opened()
        self.journal.check(case_rules.check_submit_plan, self.state)
        self.state.plan = Plan(
            units_affected=cmd.units_affected,
            remedy=cmd.remedy,
            summary=cmd.summary,
            correction_rate_target=cmd.correction_rate_target,
            submitted_at=workflow.now(),
        )
        self.state.stage = "recall_planned"
        self._clear_overdue("plan")
        self._milestone(
            "plan_submitted", cmd.actor, f"{cmd.remedy}, {cmd.units_affected} units: {cmd.summary}"
        )
        return await self._project()

    @submit_plan.validator
    def _validate_submit_plan(self, cmd: SubmitPlan) -> None:
        self.journal.check(case_rules.check_submit_plan, self.state)

    @workflow.update
    async def accept_plan(self, cmd: AcceptPlan) -> CaseProjection:
        await self._opened()
        self.journal.check(case_rules.check_accept_plan, self.state)
        self.state.plan = dataclasses.replace(
            self.state.plan, accepted_at=workflow.now(), acceptance_note=cmd.note
        )
        self.state.stage = "remediating"
        self._milestone("plan_accepted", cmd.actor, cmd.note)
        return await self._project()

    @accept_plan.validator
    def _validate_accept_plan(self, cmd: AcceptPlan) -> None:
        self.journal.check(case_rules.check_accept_plan, self.state)

    @workflow.update
    async def return_plan(self, cmd: ReturnPlan) -> CaseProjection:
        """The submitted plan goes back to the enterprise: stage `assessed` with the recall
        decision (a plan is due again, counted from now); the plan stays, marked returned."""
        await self._opened()
        self.journal.check(case_rules.check_return_plan, self.state, cmd.reason)
        self.state.plan = dataclasses.replace(
            self.state.plan, returned_at=workflow.now(), return_reason=cmd.reason
        )
        self.state.stage = "assessed"
        self._milestone("plan_returned", cmd.actor, cmd.reason)
        return await self._project()

    @return_plan.validator
    def _validate_return_plan(self, cmd: ReturnPlan) -> None:
        self.journal.check(case_rules.check_return_plan, self.state, cmd.reason)

    @workflow.update
    async def add_hazard(self, cmd: AddHazard) -> CaseProjection:
        await self._opened()
        self.journal.check(case_rules.check_add_hazard, self.state, cmd.hazard_id)
        self._join_hazard_enterprise(cmd.enterprise_id)
        self.state.hazards[cmd.hazard_id] = HazardState(
            id=cmd.hazard_id,
            enterprise_id=cmd.enterprise_id,
            category=cmd.category,
            description=cmd.description,
            status="identified",
            identified_at=cmd.identified_at or workflow.now(),
        )
        self._changed_hazards.add(cmd.hazard_id)
        self._milestone("hazard_identified", cmd.actor, f"{cmd.hazard_id} ({cmd.category})")
        return await self._project()

    @add_hazard.validator
    def _validate_add_hazard(self, cmd: AddHazard) -> None:
        self.journal.check(case_rules.check_add_hazard, self.state, cmd.hazard_id)

    def _join_hazard_enterprise(self, enterprise_id: str) -> None:
        """A hazard's enterprise is a party to the case: it sees the case and acts on its
        hazards. Hazards are bounded, so the enterprises are."""
        ids = self.state.enterprise_ids
        if enterprise_id in ids or not workflow.patched(HAZARD_ENTERPRISE_JOINS):
            return
        # also those of hazards added before the patch (a run continued as new from one)
        for hazard in self.state.hazards.values():
            if hazard.enterprise_id not in ids:
                ids.append(hazard.enterprise_id)
        ids.append(enterprise_id)

    @workflow.update
    async def eliminate_hazard(self, cmd: EliminateHazard) -> CaseProjection:
        await self._opened()
        self.journal.check(self._check_eliminate, cmd)
        hazard = self.state.hazards[cmd.hazard_id]
        hazard.status = "eliminated"
        hazard.eliminated_at = cmd.eliminated_at or workflow.now()
        hazard.evidence, hazard.evidence_refs = cmd.evidence, list(cmd.evidence_refs)
        hazard.evidence_file_ids = list(cmd.evidence_file_ids)
        self._changed_hazards.add(cmd.hazard_id)
        self._milestone("hazard_eliminated", cmd.actor, f"{cmd.hazard_id}: {cmd.evidence}")
        return await self._project()

    @eliminate_hazard.validator
    def _validate_eliminate(self, cmd: EliminateHazard) -> None:
        self.journal.check(self._check_eliminate, cmd)

    def _check_eliminate(self, cmd: EliminateHazard) -> None:
        case_rules.check_eliminate(self.state, cmd.hazard_id, cmd.eliminated_at)
        case_rules.check_evidence_files(cmd.evidence_file_ids)

    @workflow.update
    async def reopen_hazard(self, cmd: ReopenHazard) -> CaseProjection:
        """A check finds an eliminated hazard back: open again (eliminated once more later);
        a verified case goes back to remediating, with progress due from now."""
        await self._opened()
        self.journal.check(case_rules.check_reopen, self.state, cmd.hazard_id, cmd.reason)
        now = workflow.now()
        hazard = self.state.hazards[cmd.hazard_id]
        hazard.status, hazard.reopened_at = "reopened", now
        hazard.eliminated_at = hazard.verified_at = None
        hazard.times_reopened += 1
        self._changed_hazards.add(cmd.hazard_id)
        note = f"{cmd.hazard_id}: {cmd.reason}"
        if self.state.stage == "verified":
            self.state.stage, self.state.verified_at = "remediating", None
            self.state.remediating_again_at = now
            self._clear_overdue("summary_report")  # no summary is due of a case not verified
            note += " (verified -> remediating)"
        self._milestone("hazard_reopened", cmd.actor, note)
        return await self._project()

    @reopen_hazard.validator
    def _validate_reopen(self, cmd: ReopenHazard) -> None:
        self.journal.check(case_rules.check_reopen, self.state, cmd.hazard_id, cmd.reason)

    @workflow.update
    async def report_progress(self, cmd: ReportProgress) -> CaseProjection:
        await self._opened()
        self.journal.check(self._check_progress, cmd)
        self.state.units_corrected = cmd.units_corrected
        self.state.last_progress_at = workflow.now()
        self.state.progress_evidence_file_ids = list(cmd.evidence_file_ids)
        self._clear_overdue("progress_report")
        rate = case_rules.correction_rate(cmd.units_corrected, self.state.plan.units_affected)
        note = f"{cmd.units_corrected} units corrected ({rate:.1%})"
        if cmd.note:
            note += f": {cmd.note}"
        if cmd.evidence_file_ids:
            note += f" [evidence files: {', '.join(cmd.evidence_file_ids)}]"
        self._milestone("progress_reported", cmd.actor, note)
        return await self._project()

    @report_progress.validator
    def _validate_progress(self, cmd: ReportProgress) -> None:
        self.journal.check(self._check_progress, cmd)

    def _check_progress(self, cmd: ReportProgress) -> None:
        case_rules.check_progress(self.state, cmd.units_corrected)
        case_rules.check_evidence_files(cmd.evidence_file_ids)

    @workflow.update
    async def verify(self, cmd: VerifyCase) -> CaseProjection:
        await self._opened()
        self.journal.check(case_rules.check_verify, self.state)
        now = workflow.now()
        self.state.stage, self.state.verified_at = "verified", now
        for hazard in self.state.hazards.values():
            if hazard.status == "eliminated":
                hazard.status, hazard.verified_at = "verified", now
                self._changed_hazards.add(hazard.id)
        self._milestone("verified", cmd.actor, cmd.note)
        return await self._project()

    @verify.validator
    def _validate_verify(self, cmd: VerifyCase) -> None:
        self.journal.check(case_rules.check_verify, self.state)

    @workflow.update
    async def close(self, cmd: CloseCase) -> CaseProjection:
        await self._opened()
        self.journal.check(case_rules.check_close, self.state)
        self.state.stage, self.state.closed_at = "closed", workflow.now()
        self.state.summary = cmd.summary
        self._clear_overdue("summary_report")
        self._milestone("closed", cmd.actor, cmd.summary)
        return await self._project()

    @close.validator
    def _validate_close(self, cmd: CloseCase) -> None:
        self.journal.check(case_rules.check_close, self.state)

    @workflow.query
    def snapshot(self) -> CaseState:
        return self.state
