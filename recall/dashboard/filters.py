"""The dashboard's filters, parsed once: region, industry and a time window in China time."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from recall.errors import InvalidField

CST = timezone(timedelta(hours=8))


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
    return moment


def parse_filter(
    region: str | None, industry: str | None, from_: str | None, to: str | None
) -> DashboardFilter:
    start = _moment(from_, "from", end=False) if from_ else None
    end = _moment(to, "to", end=True) if to else None
    if start and end and end <= start:
        raise InvalidField("to must be after from", field="to")
    return DashboardFilter(region=region or None, industry=industry or None, start=start, end=end)
