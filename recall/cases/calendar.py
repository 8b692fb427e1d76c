"""China's official calendar for a case's working-day deadlines: the public holidays (法定节假日)
and make-up workdays (调休) the State Council publishes, from the chinesecalendar package, with
the dates configured in RECALL_DEADLINES__HOLIDAYS and __EXTRA_WORKDAYS added to them.

Workflows may not import the package (a new release must not change the deadlines of a case
already running), so a case gets the dates it needs in its Deadlines when it opens: those from
its opening day to CALENDAR_SPAN later, not the whole table. The package knows the years up
to its release (CALENDAR_LAST_YEAR); after them only weekends and the configured dates count."""

import dataclasses
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone

import chinese_calendar

from workflows.shared import Deadlines

# Longer than any deadline of a case runs: a plan is due in 10 working days, a summary in 15.
CALENDAR_SPAN = timedelta(days=2 * 366)
CALENDAR_LAST_YEAR = max(chinese_calendar.holidays).year


def _within(days: Iterable[date], first: date, last: date) -> list[date]:
    return sorted({d for d in days if first <= d <= last})


def case_deadlines(configured: Deadlines, opened: datetime) -> Deadlines:
    """The configured deadlines with the official calendar from the case's opening day (its
    local date) to CALENDAR_SPAN later; configured dates outside that span are left out too."""
    first = opened.astimezone(timezone(timedelta(hours=configured.utc_offset_hours))).date()
    last = first + CALENDAR_SPAN
    holidays = [*chinese_calendar.holidays, *configured.holidays]
    return dataclasses.replace(
        configured,
        # a holiday on a weekend is no working day anyway: only weekdays are worth carrying
        holidays=_within((d for d in holidays if d.weekday() < 5), first, last),
        extra_workdays=_within(
            [*chinese_calendar.workdays, *configured.extra_workdays], first, last
        ),
    )
