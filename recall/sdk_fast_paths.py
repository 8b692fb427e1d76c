"""Two costs of temporalio 1.35's worker that buy this project nothing, taken away.

- The sandbox runs each call into a workflow run (an activation, and every payload's
  serialization context) as a source string given to `exec`, compiled again every time: the
  compiling alone was 7 % of the worker's CPU. `CompiledSandboxRunner` compiles each such string
  once. The strings are a handful (the workflow module and class, and the runner's fixed calls).
- Every activation and every completion is walked six times, payload by payload, for a payload
  codec and external storage, which the project configures neither of: about a seventh of the
  worker's CPU. `skip_payload_walks` skips those walks while the data converter has neither (the
  SDK has the test for it, `_decode_payload_has_effect`, but does not use it yet).

Both lean on the SDK's internals, so temporalio is pinned to the minor version they were read
from (pyproject.toml), and tests/workflows/test_sdk_fast_paths.py fails when one stops applying."""

import functools
from dataclasses import dataclass
from types import CodeType
from typing import Any

import temporalio.bridge.worker as bridge_worker
from temporalio.converter import DataConverter
from temporalio.converter._extstore import StorageOperationMetrics
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox._runner import _Instance


@functools.lru_cache(maxsize=128)
def compiled(code: str) -> CodeType:
    return compile(code, "<string>", "exec")


class _CompiledInstance(_Instance):
    def _run_code(self, code: str, **extra_globals: Any) -> None:
        super()._run_code(compiled(code), **extra_globals)  # exec takes a code object alike


@dataclass(frozen=True)
class CompiledSandboxRunner(SandboxedWorkflowRunner):
    """The SDK's sandbox, unchanged but for compiling its calls into a run once."""

    def create_instance(self, det: Any) -> _Instance:
        return _CompiledInstance(det, self.runner_class, self.restrictions)


def _walks_change_nothing(data_converter: DataConverter) -> bool:
    return data_converter.payload_codec is None and data_converter.external_storage is None


_SDK_DECODE = bridge_worker.decode_activation
_SDK_ENCODE = bridge_worker.encode_completion


async def _decode_activation(activation: Any, data_converter: DataConverter, **kwargs: Any):
    if _walks_change_nothing(data_converter):
        return StorageOperationMetrics()
    return await _SDK_DECODE(activation, data_converter, **kwargs)


async def _encode_completion(completion: Any, data_converter: DataConverter, **kwargs: Any):
    if _walks_change_nothing(data_converter):
        return StorageOperationMetrics()
    return await _SDK_ENCODE(completion, data_converter, **kwargs)


def skip_payload_walks() -> None:
    """For this process (the SDK's worker looks the two functions up at each activation)."""
    bridge_worker.decode_activation = _decode_activation
    bridge_worker.encode_completion = _encode_completion
