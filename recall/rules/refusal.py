"""The refusal every pure rule raises: what is wrong, for a person, and of which kind.

The kind says what sort of refusal it is, not how a transport shows it; the API maps
conflict to 409, invalid_field to 422, not_found to 404 and unavailable to 503."""

KINDS = ("conflict", "invalid_field", "not_found", "unavailable")
_KIND_OF_CODE = {"invalid_field": "invalid_field", "not_found": "not_found"}


class RuleViolation(Exception):
    """A command the rules refuse now. `code` is the error code clients see (e.g.
    "invalid_transition"); `kind` defaults from it; `field` names the input at fault."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid_transition",
        kind: str | None = None,
        field: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.kind = kind or _KIND_OF_CODE.get(code, "conflict")
        if self.kind not in KINDS:
            raise ValueError(f"unknown refusal kind {self.kind!r}")
        self.field = field
