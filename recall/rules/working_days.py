"""Deadline arithmetic in calendar and working days.

Working days are counted in the local time of a fixed UTC offset (China
Standard Time, +08:00, by default). Deadlines fall at local midnight at the
end of the last day, i.e. 00:00 of the following calendar day.
"""

from datetime import date, datetime, time, timedelta, timezone


def _require_aware(start: datetime) -> None:
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError(f"start must be timezone-aware, got naive {start.isoformat()}")


def _is_working_day(day: date, holidays: frozenset[date], extra_workdays: frozenset[date]) -> bool:
    # Make-up workdays (调休) win over weekends and holidays.
    if day in extra_workdays:
        return True
    return day.weekday() < 5 and day not in holidays


def add_working_days(
    start: datetime,
    days: int,
    *,
    holidays: frozenset[date] = frozenset(),
    extra_workdays: frozenset[date] = frozenset(),
    utc_offset_hours: int = 8,
) -> datetime:
    """Return local midnight at the end of the Nth working day after start's local date.

    With days == 0 this is midnight at the end of start's own local day.
    """
    _require_aware(start)
    if days < 0:
        raise ValueError(f"days must be >= 0, got {days}")
    tz = timezone(timedelta(hours=utc_offset_hours))
    day = start.astimezone(tz).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if _is_working_day(day, holidays, extra_workdays):
            counted += 1
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def add_days(start: datetime, days: int) -> datetime:
    """Return start plus plain calendar days."""
    _require_aware(start)
    return start + timedelta(days=days)
