"""The dashboard's filters, parsed once: region, industry and a time window in China time."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from recall.errors import InvalidField
from recall.rules.limits import NAME

CST = timezone(timedelta(hours=8))
# The window a filter may name: wide enough for any recall, narrow enough that a month series
# stays small and date arithmetic stays far from datetime's years 1 and 9999.
FIRST_YEAR, LAST_YEAR = 1900, 2200


@dataclass(frozen=True)
class DashboardFilter:
    region: str | None = None
    industry: str | None = None
    start: datetime | None = None  # inclusive
    end: datetime | None = None  # exclusive


def _moment(value: str, field: str, *, end: bool) -> datetime:
    """A date means its whole day in China Standard Time; a datetime needs its offset."""
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            _within_years(day.year, field)
            if end:
                day += timedelta(days=1)
            return datetime.combine(day, time(0), tzinfo=CST)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidField(
            f"{field} must be a date (2026-01-31) or a time with its offset", field=field
        ) from None
    if moment.tzinfo is None:
        raise InvalidField(f"{field} needs an offset, e.g. 2026-01-31T00:00:00+08:00", field=field)
    _within_years(moment.year, field)
    return moment


def _within_years(year: int, field: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidField(f"{field} must be from {FIRST_YEAR} to {LAST_YEAR}", field=field)


def _code(value: str | None, field: str) -> str | None:
    if value and len(value) > NAME:
        raise InvalidField(f"{field} must be at most {NAME} characters", field=field)
    return value or None


def parse_filter(
    region: str | None, industry: str | None, from_: str | None, to: str | None
) -> DashboardFilter:
    region, industry = _code(region, "region"), _code(industry, "industry")
    start = _moment(from_, "from", end=False) if from_ else None
    end = _moment(to, "to", end=True) if to else None
    if start and end and end <= start:
        raise InvalidField("to must be after from", field="to")
    return DashboardFilter(region=region, industry=industry, start=start, end=end)
