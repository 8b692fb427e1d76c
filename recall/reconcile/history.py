"""Milestones the read model lost, found again in the workflow's history: every event a workflow
commits reaches the read model as the input of its projection activity (workflows/journal.py),
and that input, recorded in the history, carries the event's milestones. Every run of the
workflow (continue-as-new makes several) is read while the server retains it.

Runs recorded before projections waited for their workflow task (a local activity, whose input
the history does not keep) cannot give their milestones back this way."""

from datetime import timedelta

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from recall.reconcile.domains import Domain
from workflows.shared import MilestoneEvent

RPC_TIMEOUT = timedelta(seconds=30)


def quoted(value: str) -> str:
    if "'" in value or "\\" in value:
        raise ValueError(f"cannot name {value!r} in a visibility query")
    return f"'{value}'"


async def recovered_milestones(
    client: Client, domain: Domain, workflow_id: str, wanted: set[int]
) -> dict[int, MilestoneEvent]:
    """The milestones of `wanted` seqs that the workflow's runs recorded, by seq."""
    found: dict[int, MilestoneEvent] = {}
    inputs = domain.activity_inputs()
    runs = client.list_workflows(
        f"WorkflowId = {quoted(workflow_id)}", page_size=100, rpc_timeout=RPC_TIMEOUT
    )
    async for run in runs:
        handle = client.get_workflow_handle(workflow_id, run_id=run.run_id)
        async for event in handle.fetch_history_events(rpc_timeout=RPC_TIMEOUT):
            if event.event_type != EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                continue
            scheduled = event.activity_task_scheduled_event_attributes
            input_type = inputs.get(scheduled.activity_type.name)
            if input_type is None:
                continue
            [value] = await client.data_converter.decode(
                list(scheduled.input.payloads), [input_type]
            )
            for projection in value if isinstance(value, list) else [value]:
                for milestone in projection.milestones:
                    if milestone.seq in wanted:
                        found[milestone.seq] = milestone
        if wanted <= found.keys():
            break
    return found
