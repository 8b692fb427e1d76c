"""The error answers routes may give, described once for the OpenAPI document."""

from pydantic import BaseModel


class ErrorOut(BaseModel):
    """Every error: a code, a sentence for a person, and the field at fault (or null)."""

    error: str
    detail: str
    field: str | None = None


_COMMON = {
    401: "no or bad token",
    422: "a field is invalid; `field` names it",
    503: "the workflow engine did not take the command in time; send it again with the same "
    "Idempotency-Key (see Retry-After)",
}


# An error's content, for a route that writes its `responses=` by hand.
JSON_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}

# What any request may meet before its route runs, or while it reads the database.
TOO_LARGE = "`too_large`: the request body is over its limit (larger for a multipart upload)"
CONTROL_IN_QUERY = "`invalid_field`: a query parameter holds a control character"
AWAY = (
    "`database_unavailable` (or, for a command, `engine_unavailable`): what the request needs "
    "does not answer for now; send it again after Retry-After"
)


def common_errors() -> dict:
    """What any API route may answer: malformed JSON, a missing token, an invalid field, a body
    over the limit, the database away."""
    texts = {
        400: "the body is not well-formed JSON",
        401: _COMMON[401],
        413: TOO_LARGE,
        422: _COMMON[422],
        503: AWAY,
    }
    return {status: {"model": ErrorOut, "description": text} for status, text in texts.items()}


def errors(texts: dict[int, str]) -> dict:
    """A route's `responses=` for the given error statuses and what each means there."""
    return {
        status: {"model": ErrorOut, "description": text} for status, text in sorted(texts.items())
    }


def refusals(*, forbidden: str, not_found: str, conflict: str) -> dict:
    """The `responses=` of a route that sends commands: what 403, 404 and 409 mean there."""
    return errors({**_COMMON, 403: forbidden, 404: not_found, 409: conflict})


def reference_refusals(*, forbidden: str, conflict: str) -> dict:
    """The `responses=` of a route that writes reference data (no workflow, so no 503)."""
    return errors({401: _COMMON[401], 403: forbidden, 409: conflict, 422: _COMMON[422]})
