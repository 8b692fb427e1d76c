"""recall.sdk_fast_paths leans on temporalio's internals: these fail when a new SDK version stops
taking them (the whole suite runs its workflows through them)."""

import inspect
import json

import temporalio.bridge.worker as bridge_worker
import temporalio.converter
import temporalio.workflow
from temporalio.api.common.v1 import Payload
from temporalio.bridge.proto.workflow_activation import WorkflowActivation
from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter
from temporalio.worker._workflow import _WorkflowWorker
from temporalio.worker.workflow_sandbox._runner import _Instance

from recall import sdk_fast_paths
from recall.temporal import PayloadConverter
from recall.worker import RUNNER, WORKFLOWS
from workflows.recall_case import RecallCaseWorkflow
from workflows.shared import AssessCase


async def test_the_sandbox_compiles_each_call_into_a_run_once():
    defn = temporalio.workflow._Definition.must_from_class(RecallCaseWorkflow)
    RUNNER.prepare_workflow(defn)  # creates a sandboxed instance, as for a new run
    before = sdk_fast_paths.compiled.cache_info()
    RUNNER.prepare_workflow(defn)
    after = sdk_fast_paths.compiled.cache_info()
    assert after.misses == before.misses, "the same calls were compiled again"
    assert after.hits >= before.hits + 2
    # every workflow the worker runs goes through it, and the cache holds few strings
    for workflow in WORKFLOWS:
        RUNNER.prepare_workflow(temporalio.workflow._Definition.must_from_class(workflow))
    assert sdk_fast_paths.compiled.cache_info().currsize <= 3 * len(WORKFLOWS) + 8


def test_the_sdk_still_runs_code_in_the_sandbox_and_walks_payloads_as_read():
    run_code = inspect.signature(_Instance._run_code)
    assert list(run_code.parameters) == ["self", "code", "extra_globals"]
    assert "exec(code," in inspect.getsource(_Instance._run_code)
    handle = inspect.getsource(_WorkflowWorker._handle_activation)
    assert "temporalio.bridge.worker.decode_activation(" in handle
    assert "temporalio.bridge.worker.encode_completion(" in handle


class _Codec(temporalio.converter.PayloadCodec):
    def __init__(self) -> None:
        self.decoded = 0

    async def encode(self, payloads):
        return list(payloads)

    async def decode(self, payloads):
        self.decoded += len(payloads)
        return list(payloads)


def _activation_with_a_payload() -> WorkflowActivation:
    act = WorkflowActivation(run_id="r")
    job = act.jobs.add()
    job.signal_workflow.signal_name = "s"
    job.signal_workflow.input.append(Payload(metadata={"encoding": b"json/plain"}, data=b"1"))
    return act


async def test_payload_walks_are_skipped_only_when_nothing_would_change(monkeypatch):
    monkeypatch.setattr(bridge_worker, "decode_activation", bridge_worker.decode_activation)
    monkeypatch.setattr(bridge_worker, "encode_completion", bridge_worker.encode_completion)
    sdk_fast_paths.skip_payload_walks()
    assert bridge_worker.decode_activation is sdk_fast_paths._decode_activation
    assert bridge_worker.encode_completion is sdk_fast_paths._encode_completion

    walked = []
    the_sdks = sdk_fast_paths._SDK_DECODE

    async def sdk_decode(activation, data_converter, **kwargs):
        walked.append(data_converter)
        return await the_sdks(activation, data_converter, **kwargs)

    monkeypatch.setattr(sdk_fast_paths, "_SDK_DECODE", sdk_decode)
    options = {"decode_headers": False, "storage_concurrency_limit": 1}

    plain = temporalio.converter.DataConverter.default
    await bridge_worker.decode_activation(_activation_with_a_payload(), plain, **options)
    assert walked == []

    codec = _Codec()
    with_codec = temporalio.converter.DataConverter(payload_codec=codec)
    await bridge_worker.decode_activation(_activation_with_a_payload(), with_codec, **options)
    assert walked == [with_codec]
    assert codec.decoded == 1


def test_a_payload_converter_per_activation_builds_no_pydantic_converter(monkeypatch):
    made = []
    init = PydanticJSONPlainPayloadConverter.__init__

    def counting_init(self, *args, **kwargs):
        made.append(self)
        init(self, *args, **kwargs)

    monkeypatch.setattr(PydanticJSONPlainPayloadConverter, "__init__", counting_init)
    first, second = PayloadConverter(), PayloadConverter()  # as the SDK does per activation
    assert made == []
    assert list(first.converters) == list(second.converters)
    json_plain = b"json/plain"
    assert first.converters[json_plain] is second.converters[json_plain]
    assert isinstance(first.converters[json_plain], PydanticJSONPlainPayloadConverter)

    # the same JSON on the wire as before, and back to the same value
    arg = AssessCase(actor="regulator:r1", severity=3, probability="gt_1_100")
    (payload,) = second.to_payloads([arg])
    assert payload.metadata["encoding"] == json_plain
    assert json.loads(payload.data)["probability"] == "gt_1_100"
    assert second.from_payloads([payload], [AssessCase]) == [arg]
