"""Recorded case histories must replay on the current workflow code: a change that would break
running cases (without workflow.patched) fails here. Re-record with
`python -m tests.workflows.record_histories` only for a deliberate, patched change."""

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
