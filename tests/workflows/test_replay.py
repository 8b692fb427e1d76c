"""Recorded case histories must replay on the current workflow code: a change that would break
running cases (without workflow.patched) fails here. Re-record with
`python -m tests.workflows.record_histories` only for a deliberate, patched change."""

import base64
import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from recall.worker import WORKFLOWS

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def test_histories_are_recorded() -> None:
    assert len(HISTORIES) >= 2


def test_association_and_cultivation_histories_are_recorded() -> None:
    stems = {p.stem for p in HISTORIES}
    assert {"association_registered_then_linked", "brand_cultivation_labelled"} <= stems


def test_histories_of_the_cases_later_acts_are_recorded() -> None:
    """Plan returns, reopened hazards and evidence files (new Updates); and a hazard of an
    enterprise the reports did not name, before the patch that makes it join the case (its
    run keeps the enterprises it had) and after."""
    stems = {p.stem: p for p in HISTORIES}
    assert {
        "recall_case_returned_and_reopened",
        "recall_case_enterprise_joins",
        "recall_case_hazard_of_an_unnamed_enterprise",
    } <= set(stems)
    assert "hazard-enterprise-joins-case" in patches_of(stems["recall_case_enterprise_joins"])
    before = stems["recall_case_hazard_of_an_unnamed_enterprise"]
    assert "hazard-enterprise-joins-case" not in patches_of(before)
    assert {"return_plan", "reopen_hazard"} <= updates_of(
        stems["recall_case_returned_and_reopened"]
    )


def test_a_programme_history_after_its_milestones_named_their_stage_is_recorded() -> None:
    """Stage milestones of a programme name the stage they are about (a patch): runs from
    before it replay as they were, runs after it as they are."""
    stems = {p.stem: p for p in HISTORIES}
    after = stems["programme_chain__milestone_names_its_stage"]
    assert "milestone-names-its-stage" in patches_of(after)
    assert "milestone-names-its-stage" not in patches_of(
        stems["programme_chain__projected_after_commit"]
    )


def updates_of(path: Path) -> set[str]:
    """The names of the Updates a recorded history accepted."""
    return {
        event["workflowExecutionUpdateAcceptedEventAttributes"]["acceptedRequest"]["input"]["name"]
        for event in json.loads(path.read_text())["events"]
        if "workflowExecutionUpdateAcceptedEventAttributes" in event
    }


def test_histories_of_both_write_paths_are_recorded() -> None:
    """Runs that wrote their read model by local activities inside the Update handlers, and
    runs that hand their projections to an activity after the task committed (the patch
    "project-after-commit"): both must go on replaying."""
    patched = {p.stem for p in HISTORIES if "project-after-commit" in patches_of(p)}
    assert len(patched) >= 9 and len(HISTORIES) - len(patched) >= 9


def test_histories_of_the_batched_backstop_are_recorded() -> None:
    """Runs whose outbox waits a moment before it writes what the API writes itself (the patch
    "batched-projection"), of each kind whose recorded Updates met it."""
    batched = {p.stem for p in HISTORIES if "batched-projection" in patches_of(p)}
    kinds = {stem.split("_")[0] for stem in batched}
    assert {"recall", "standard", "programme", "association"} <= kinds


def test_histories_of_the_kept_deadline_timer_are_recorded() -> None:
    """Cases whose deadline timer stays while commands leave the deadline as it was."""
    kept = {p.stem for p in HISTORIES if "keep-deadline-timer" in patches_of(p)}
    assert len(kept) >= 2


def test_histories_of_the_first_event_answered_are_recorded() -> None:
    """Cases whose first event waits in the outbox like the rest: the command that opened them
    returns it, and the API writes it."""
    answered = {p.stem for p in HISTORIES if "first-event-answered" in patches_of(p)}
    assert len(answered) >= 4


def patches_of(path: Path) -> set[str]:
    """The ids of the patches a recorded history's markers name."""
    found = set()
    for event in json.loads(path.read_text())["events"]:
        marker = event.get("markerRecordedEventAttributes", {})
        for payload in marker.get("details", {}).get("patch-data", {}).get("payloads", []):
            found.add(json.loads(base64.b64decode(payload["data"]))["id"])
    return found


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_recorded_history_replays(path: Path) -> None:
    text = path.read_text()  # noqa: ASYNC240 - a small file in a test
    workflow_id = json.loads(text)["events"][0]["workflowExecutionStartedEventAttributes"].get(
        "workflowId", path.stem
    )
    history = WorkflowHistory.from_json(workflow_id, text)
    replayer = Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None
