"""What a request may carry, as types its schemas are made of: text bounded by the limits of
recall.rules.limits, free of control characters, and not blank where it is required; times
since 1900, and not in the future where only the past makes sense. A field that breaks one is
refused at the edge with 422 naming it, before any service, database or workflow sees it."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from recall.common.types import in_the_future
from recall.rules.case_rules import HAZARD_CATEGORIES
from recall.rules.limits import IDS, NAME, REASON, TEXT

# Narrower than NAME where the read model's column is (a longer value could not be stored):
LABEL = 40  # hazard categories, a cultivation's tier
NUMBER = 100  # registration and certificate numbers, a comment's clause

# C0 controls but tab, newline and carriage return; DEL; lone surrogates (not UTF-8 at all).
# PostgreSQL cannot store NUL, and none of them means anything in a name or a note.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def control_character(value: str) -> str | None:
    """The first character a text may not hold, as U+XXXX, or None."""
    found = CONTROL.search(value)
    return f"U+{ord(found.group()):04X}" if found else None


def _printable(value: str) -> str:
    if (char := control_character(value)) is not None:
        raise PydanticCustomError(
            "control_character",
            "must not contain control characters (found {char})",
            {"char": char},
        )
    return value


def _filled(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "must not be blank")
    return value


# The same two rules as JSON Schema patterns, for the OpenAPI document; the validators above
# still do the checking (their messages name the character). "Blank" is what str.strip()
# removes: the whitespace below and the controls (CONTROL without the surrogates, which JSON
# text can only escape and not every regex engine takes).
_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_SPACES = r"\t\n\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
PRINTABLE = rf"^[^{_CONTROLS}]*$"
FILLED = rf"^[^{_CONTROLS}]*[^{_CONTROLS}{_SPACES}][^{_CONTROLS}]*$"


@dataclass(frozen=True)
class _Documented:
    """Adds keywords to a type's JSON Schema (a pattern, an enum) without validating them."""

    pattern: str | None = None
    enum: tuple[str, ...] | None = None

    def __get_pydantic_json_schema__(self, core_schema, handler):
        schema = handler(core_schema)
        if self.pattern is not None:
            schema["pattern"] = self.pattern
        if self.enum is not None:
            schema["enum"] = list(self.enum)
        return schema


def bounded_text(limit: int, *, required: bool = True) -> type[str]:
    """str of at most `limit` characters without control characters; not blank if required."""
    checks = [StringConstraints(max_length=limit), AfterValidator(_printable)]
    if required:
        checks.append(AfterValidator(_filled))
    checks.append(_Documented(pattern=FILLED if required else PRINTABLE))
    return Annotated[(str, *checks)]  # type: ignore[return-value]


Name = bounded_text(NAME)  # names, titles, products, authors, voters, codes, ids
Text = bounded_text(TEXT)  # descriptions, evidence, summaries, comment texts, required reasons
Note = bounded_text(TEXT, required=False)  # notes and optional reasons
Reason = bounded_text(REASON, required=False)  # a disposition's reason (the rules say when)
Label = bounded_text(NAME, required=False)  # optional short text: a title, name_en, keywords
Category = bounded_text(LABEL, required=False)  # a hazard category, a cultivation's tier
# A hazard's category: the service refuses any other with a 422 that lists them.
HazardCategory = Annotated[Category, _Documented(enum=HAZARD_CATEGORIES)]
Number = bounded_text(NUMBER, required=False)  # a registration or certificate no., a clause


# Ids, codes or references in one list of one request (defect_report_ids, keywords, regions...)
Ids = Annotated[list[Name], Field(max_length=IDS)]

# Times people give. Before 1900 nothing this system tracks happened; the bounds also keep
# arithmetic on them (time zones, a day added) far from datetime's years 1 and 9999.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)


def _since_1900(moment: datetime) -> datetime:
    if moment < EARLIEST:
        raise PydanticCustomError("date_too_early", "must be on or after 1900-01-01")
    return moment


def _not_future(moment: datetime) -> datetime:
    if in_the_future(moment):
        raise PydanticCustomError("date_in_future", "is in the future")
    return moment


# What the OpenAPI document promises (format: date-time, RFC 3339) and no more: pydantic alone
# also reads a number, or a string of digits, as seconds since 1970.
RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def _rfc3339(value: object) -> object:
    if isinstance(value, datetime) or (isinstance(value, str) and RFC3339.fullmatch(value)):
        return value
    raise PydanticCustomError(
        "datetime_format", "must be a time with its offset, e.g. 2026-01-31T09:00:00+08:00"
    )


PastMoment = Annotated[
    AwareDatetime,
    BeforeValidator(_rfc3339),
    AfterValidator(_since_1900),
    AfterValidator(_not_future),
]


def _json_number(value: object) -> object:
    """A JSON number (or null), as the OpenAPI document says: pydantic alone would also take
    true as 1 and "5" as 5. An integral float (5.0) stays acceptable where an integer is wanted."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise PydanticCustomError("number_type", "must be a number")
    return value


# The constraints (Field(ge=..., le=...)) go on the field; on `X | None` only the whole union
# wrapped here keeps them in the JSON Schema's number branch.
Integer = Annotated[int, BeforeValidator(_json_number)]  # counts, a severity
MaybeInteger = Annotated[int | None, BeforeValidator(_json_number)]
MaybeReal = Annotated[float | None, BeforeValidator(_json_number)]  # rates, days


# Query parameters: a filter value as long as a name at most. Control characters in any query
# or path parameter are refused once for all routes (recall.common.edge).
Filter = Annotated[str | None, Query(max_length=NAME)]
