"""Per-request context that every log line carries: the request id and, once known, the case."""

from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
case_number_var: ContextVar[str | None] = ContextVar("case_number", default=None)


def bind_case(number: str | None) -> None:
    case_number_var.set(number)
