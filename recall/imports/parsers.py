"""Saved CPSC and openFDA responses: reading the file and turning each record into a notice."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from recall.common.text import CONTROL, control_character

Source = Literal["cpsc", "openfda"]
SOURCES: tuple[Source, ...] = ("cpsc", "openfda")

MAX_PRODUCT_CHARS = 500  # DefectReport.product
MAX_KEY_CHARS = 120  # DefectReport.external_key
# A notice is a title and a few sentences (the captures' longest text is 262 characters). A record
# with more is refused, naming the field: the reports it would make are listed fifty at a time.
MAX_TEXT_CHARS = 4_000
MAX_NAME_CHARS = 500  # a manufacturer, remedy or hazard, a firm, a state, a classification
MAX_NAMES = 100


class ImportFileError(Exception):
    """The file as a whole cannot be imported: missing, unreadable, not JSON or the wrong shape."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class RecordRejected(ValueError):
    """One record cannot be filed; the reason names the field."""


@dataclass(frozen=True)
class Notice:
    external_key: str
    product: str
    description: str
    hazard_text: str
    received_at: datetime
    external: dict[str, Any]


def load_file(path: str | Path, source: Source) -> list:
    """The records of a saved response, or ImportFileError with a one-line message."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    return parse_document(data, source, name=str(path))


def parse_document(data: bytes | str, source: Source, *, name: str = "input") -> list:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFileError(f"{name}: not UTF-8 text, so not a saved JSON response") from None
    try:
        document = json.loads(data, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ImportFileError(f"{name}: not valid JSON ({exc})") from None
    return _records_of(document, source, name)


def _reject_constant(constant: str) -> None:
    raise ValueError(f"{constant} is not allowed")


def _records_of(document: Any, source: Source, name: str) -> list:
    looks_like_openfda = isinstance(document, dict) and isinstance(document.get("results"), list)
    if source == "cpsc":
        if isinstance(document, list):
            return document
        hint = (
            "; this looks like openFDA, try `recall import openfda`" if looks_like_openfda else ""
        )
        raise ImportFileError(
            f"{name}: expected a JSON array of CPSC recalls, found {_kind(document)}{hint}"
        )
    if source == "openfda":
        if looks_like_openfda:
            return document["results"]
        found = _kind(document)
        if isinstance(document, dict):
            found += ' without a "results" array'
        hint = (
            "; this looks like CPSC, try `recall import cpsc`" if isinstance(document, list) else ""
        )
        raise ImportFileError(
            f'{name}: expected an openFDA response (an object with a "results" array), '
            f"found {found}{hint}"
        )
    raise ValueError(f"unknown source {source!r}")


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return "a boolean" if isinstance(value, bool) else "a number"


def content_hash(record: Any) -> str:
    canonical = json.dumps(record, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def recall_number_of(record: Any, source: Source) -> str | None:
    """The record's recall number for naming it in messages; never raises."""
    if not isinstance(record, dict):
        return None
    value = record.get("RecallNumber" if source == "cpsc" else "recall_number")
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value).strip() or None
    return None


def parse_record(record: Any, source: Source) -> Notice:
    if not isinstance(record, dict):
        raise RecordRejected(f"not an object but {_kind(record)}")
    if (found := _control_character(record)) is not None:
        raise RecordRejected(f"{found[0]} holds a control character ({found[1]})")
    return parse_cpsc(record) if source == "cpsc" else parse_openfda(record)


def _unprintable(text: str) -> bool:
    # isprintable() is false for every control character and surrogate, and twice as fast.
    return not text.isprintable() and CONTROL.search(text) is not None


def _control_character(value: Any, where: str = "record") -> tuple[str, str] | None:
    """(where, U+XXXX) of the first text in value holding a character PostgreSQL cannot keep."""
    if isinstance(value, str):
        return (where, control_character(value)) if _unprintable(value) else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    # Every record passes here: names are made only for what is searched further.
    for key, item in items:
        key = str(key)
        if _unprintable(key):
            return (where, control_character(key))
        if isinstance(item, str) and not _unprintable(item):
            continue
        name = key if where == "record" else f"{where}.{key}"
        if found := _control_character(item, name):
            return found
    return None


def parse_cpsc(record: dict) -> Notice:
    recall_number = _recall_number(record, "RecallNumber")
    hazards = _names(record, "Hazards")
    hazard_text = "\n".join(hazards)
    return Notice(
        external_key=_external_key("cpsc", recall_number, record),
        product=_text(record, "Title", required=True)[:MAX_PRODUCT_CHARS],
        description=_text(record, "Description", required=False),
        hazard_text=hazard_text,
        received_at=_iso_datetime(record, "RecallDate"),
        external={
            "source": "cpsc",
            "recall_number": recall_number,
            "recall_id": _recall_id(record),
            "url": _short(record, "URL"),
            "manufacturers": _names(record, "Manufacturers"),
            "remedies": _names(record, "Remedies"),
            "hazards": hazards,
            "hazard_text": hazard_text,
        },
    )


def parse_openfda(record: dict) -> Notice:
    recall_number = _recall_number(record, "recall_number")
    reason = _text(record, "reason_for_recall", required=False)
    return Notice(
        external_key=_external_key("openfda", recall_number, record),
        product=_text(record, "product_description", required=True)[:MAX_PRODUCT_CHARS],
        description=reason,
        hazard_text=reason,
        received_at=_compact_date(record, "report_date"),
        external={
            "source": "openfda",
            "recall_number": recall_number,
            **{
                field: _short(record, field)
                for field in (
                    "recalling_firm",
                    "state",
                    "classification",
                    "product_type",
                    "voluntary_mandated",
                    "status",
                )
            },
            "hazard_text": reason,
        },
    )


def _external_key(source: Source, recall_number: str | None, record: dict) -> str:
    if recall_number:
        key = f"{source}:{recall_number}"
    else:
        key = f"{source}:sha256:{content_hash(record)}"
    if len(key) > MAX_KEY_CHARS:
        raise RecordRejected(f"recall number longer than {MAX_KEY_CHARS - len(source) - 1} chars")
    return key


def _recall_number(record: dict, field: str) -> str | None:
    value = record.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise RecordRejected(f"{field} is neither text nor a number")
    return str(value).strip() or None


def _text(record: dict, field: str, *, required: bool) -> str:
    value = record.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RecordRejected(f"missing {field}")
        return ""
    if not isinstance(value, str):
        raise RecordRejected(f"{field} is not text")
    if len(value) > MAX_TEXT_CHARS:
        raise RecordRejected(f"{field} is longer than {MAX_TEXT_CHARS:,} characters")
    return value.strip()


def _recall_id(record: dict) -> int | str | None:
    value = record.get("RecallID")
    if isinstance(value, int | None) and not isinstance(value, bool):
        return value
    return _short(record, "RecallID")


def _short(record: dict, field: str) -> str | None:
    """An optional short text kept as it is (a URL, a firm, a classification)."""
    value = record.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordRejected(f"{field} is not text")
    if len(value) > MAX_NAME_CHARS:
        raise RecordRejected(f"{field} is longer than {MAX_NAME_CHARS} characters")
    return value


def _names(record: dict, field: str) -> list[str]:
    """The Name of each entry of a CPSC list such as Hazards: [{"Name": ...}]."""
    value = record.get(field)
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordRejected(f"{field} is not a list")
    if len(value) > MAX_NAMES:
        raise RecordRejected(f"{field} has more than {MAX_NAMES} entries")
    names = []
    for item in value:
        name = item.get("Name") if isinstance(item, dict) else item
        if isinstance(name, str) and len(name) > MAX_NAME_CHARS:
            raise RecordRejected(f"{field} has a name longer than {MAX_NAME_CHARS} characters")
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return names


def _shown(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _iso_datetime(record: dict, field: str) -> datetime:
    """An ISO date or datetime; one without an offset is taken as UTC."""
    value = record.get(field)
    if value is None or value == "":
        raise RecordRejected(f"missing {field}")
    try:
        parsed = datetime.fromisoformat(value.strip()) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise RecordRejected(f"unparsable {field} {_shown(value)}")
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _compact_date(record: dict, field: str) -> datetime:
    """openFDA's YYYYMMDD, midnight UTC."""
    value = record.get(field)
    if value is None or value == "":
        raise RecordRejected(f"missing {field}")
    try:
        if not (isinstance(value, str) and len(value) == 8 and value.isascii() and value.isdigit()):
            raise ValueError
        # What strptime("%Y%m%d") reads from eight digits, without its regex.
        return datetime(int(value[:4]), int(value[4:6]), int(value[6:]), tzinfo=UTC)
    except ValueError:
        raise RecordRejected(f"unparsable {field} {_shown(value)}, expected YYYYMMDD") from None
