"""How the API's door to Temporal turns what the server says into answers (recall/gateway.py)."""

import pytest
from temporalio.service import RPCError, RPCStatusCode

from recall.errors import EngineUnavailable, InvalidTransition
from recall.gateway import WorkflowGateway
from workflows.shared import Deadlines


def _gateway(timeout: float = 1) -> WorkflowGateway:
    return WorkflowGateway(
        None,  # type: ignore[arg-type]
        task_queue="q",
        timeout=timeout,
        case_deadlines=Deadlines(),
        sessionmaker=None,  # type: ignore[arg-type]
    )


async def _raising(status: RPCStatusCode) -> None:
    raise RPCError("from the server", status, b"")


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (RPCStatusCode.UNAVAILABLE, EngineUnavailable),
        (RPCStatusCode.DEADLINE_EXCEEDED, EngineUnavailable),
        (RPCStatusCode.RESOURCE_EXHAUSTED, EngineUnavailable),  # more than 10 Updates in flight
        (RPCStatusCode.NOT_FOUND, InvalidTransition),  # the workflow has ended
    ],
)
async def test_gateway_answers(status: RPCStatusCode, error: type) -> None:
    with pytest.raises(error):
        await _gateway()._within_deadline(_raising(status))


async def test_a_command_not_taken_in_time_is_a_503() -> None:
    import asyncio

    with pytest.raises(EngineUnavailable, match="within 0.05 s"):
        await _gateway(0.05)._within_deadline(asyncio.sleep(5))


async def test_other_rpc_errors_are_not_hidden() -> None:
    with pytest.raises(RPCError):
        await _gateway()._within_deadline(_raising(RPCStatusCode.INVALID_ARGUMENT))
