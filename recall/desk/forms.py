"""What every form of the workbench shares: the CSRF check, the idempotency key that makes a form
sent twice act once, and turning the posted strings into the API's own request models, so that a
page refuses exactly what the API refuses, with the same words."""

import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData, UploadFile

from recall.common.ids import IdFactory
from recall.errors import DomainError, InvalidField

# Form inputs that the API takes as numbers: the browser sends text.
WHOLE_NUMBERS = frozenset({"severity", "units_affected", "units_corrected"})
FRACTIONS = frozenset({"correction_rate_target"})
# Inputs of type datetime-local carry no offset: they are China Standard Time.
LOCAL_TIMES = frozenset({"eliminated_at", "identified_at", "received_at"})
LISTS = frozenset({"defect_report_ids", "evidence_file_ids"})
NOT_FIELDS = frozenset({"csrf_token", "idempotency_key", "hazard_id", "lang", "files"})
MAX_FORM_VALUE = 20_000  # characters; the models bound each field far below this


@dataclass
class Refusal:
    """Why an act was refused, shown beside its form (data-error, data-field)."""

    detail: str
    field: str | None = None
    status: int = 409

    @classmethod
    def of(cls, error: DomainError) -> "Refusal":
        return cls(error.detail, error.field, error.status_code)


@dataclass
class Submitted:
    """A form as the person sent it: shown again, unchanged, when the act is refused."""

    act: str
    values: dict[str, Any] = field(default_factory=dict)
    refusal: Refusal | None = None
    hazard_id: str | None = None

    def value(self, name: str, default: str = "") -> str:
        value = self.values.get(name, default)
        return "" if value is None else str(value)


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(16)


def ids_for(actor: str, subject: str, act: str, key: str | None) -> IdFactory:
    """Ids seeded by the form's idempotency key: the same form sent twice names the same new
    objects and the same workflow update, so it acts once."""
    if not key:
        return IdFactory()
    seed = hashlib.sha256(f"page\x00{actor}\x00{subject}\x00{act}\x00{key}".encode()).hexdigest()
    return IdFactory(seed)


def form_values(form: FormData) -> dict[str, Any]:
    """The form's fields (not its files), one value each, lists for the list inputs."""
    values: dict[str, Any] = {}
    for name in dict.fromkeys(form.keys()):  # a multi-dict: its keys repeat
        if name in NOT_FIELDS:
            continue
        items = [v for v in form.getlist(name) if isinstance(v, str)]
        if name in LISTS:
            values[name] = [v for v in items if v.strip()]
        elif items:
            values[name] = items[-1]
    return values


def uploads(form: FormData) -> list[UploadFile]:
    """The files of the `files` input that hold something (an empty input sends one empty part)."""
    return [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]


def _number(name: str, raw: str, convert) -> Any:
    try:
        return convert(raw.strip())
    except ValueError:
        kind = "a whole number" if convert is int else "a number"
        raise InvalidField(f"{name} must be {kind}", field=name) from None


def parse(model: type[BaseModel], values: dict[str, Any]) -> BaseModel:
    """The posted strings as the API's request model; InvalidField names the first bad field."""
    data: dict[str, Any] = {}
    for name, raw in values.items():
        if name not in model.model_fields:
            continue
        if isinstance(raw, str):
            if len(raw) > MAX_FORM_VALUE:
                raise InvalidField(f"{name} is too long", field=name)
            if raw.strip() == "" and not model.model_fields[name].is_required():
                continue  # an empty optional input means "not given"
            if name in WHOLE_NUMBERS:
                raw = _number(name, raw, int)
            elif name in FRACTIONS:
                raw = _number(name, raw, float)
            elif name in LOCAL_TIMES and len(raw) in (16, 19):  # 2026-11-30T09:30[:00]
                raw = f"{raw}+08:00"
        data[name] = raw
    try:
        return model.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else None
        message = first["msg"]
        if first["type"] == "missing":
            message = "is required"
        raise InvalidField(f"{name}: {message}" if name else message, field=name) from None
