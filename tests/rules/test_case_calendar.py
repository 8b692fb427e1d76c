"""China's official calendar in a case's deadlines (recall.cases.calendar): the dates the API
gives a case when it opens, and what they do to its working-day due dates."""

from datetime import UTC, date, datetime, timedelta, timezone

from recall.cases.calendar import CALENDAR_LAST_YEAR, CALENDAR_SPAN, case_deadlines
from workflows.shared import Deadlines

CST = timezone(timedelta(hours=8))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_a_plan_decided_on_30_september_2025_is_due_after_national_day() -> None:
    """National Day and Mid-Autumn 2025: 1-8 October off; Sunday 28 September and Saturday
    11 October are make-up workdays (国务院办公厅关于2025年部分节假日安排的通知).
    Decided Tuesday 30 September: the 10 working days after it are 9 (Thu), 10 (Fri),
    11 (Sat, make-up), 13, 14, 15, 16, 17, 20 and 21 October; due at the end of the 21st."""
    deadlines = case_deadlines(Deadlines(), at("2025-09-20T10:00:00+08:00"))
    due = deadlines.working_days_after(at("2025-09-30T15:00:00+08:00"), 10)
    assert due == at("2025-10-22T00:00:00+08:00")
    # weekends alone would have made it the end of 14 October
    assert Deadlines().working_days_after(at("2025-09-30T15:00:00+08:00"), 10) == at(
        "2025-10-15T00:00:00+08:00"
    )


def test_the_make_up_workday_before_national_day_counts() -> None:
    """Decided Friday 26 September 2025: 28 September (Sunday, make-up) is the first working
    day, then 29, 30 September, 9, 10, 11 (Saturday, make-up), 13, 14, 15, 16 October."""
    deadlines = case_deadlines(Deadlines(), at("2025-09-26T09:00:00+08:00"))
    assert deadlines.working_days_after(at("2025-09-26T17:00:00+08:00"), 10) == at(
        "2025-10-17T00:00:00+08:00"
    )


def test_a_case_carries_only_the_dates_of_its_own_span() -> None:
    opened = at("2025-09-20T10:00:00+08:00")
    deadlines = case_deadlines(Deadlines(), opened)
    first, last = date(2025, 9, 20), date(2025, 9, 20) + CALENDAR_SPAN
    assert deadlines.holidays and deadlines.extra_workdays
    assert all(first <= d <= last for d in deadlines.holidays + deadlines.extra_workdays)
    assert date(2025, 10, 1) in deadlines.holidays and date(2025, 1, 1) not in deadlines.holidays
    assert {date(2025, 9, 28), date(2025, 10, 11)} <= set(deadlines.extra_workdays)
    # weekdays only: a holiday on a weekend changes nothing, so it does not travel
    assert all(d.weekday() < 5 for d in deadlines.holidays)
    assert deadlines.holidays == sorted(set(deadlines.holidays))
    assert len(deadlines.holidays) < 60 and len(deadlines.extra_workdays) < 30


def test_configured_dates_add_to_the_calendar_within_the_span() -> None:
    configured = Deadlines(
        plan_working_days=5,
        holidays=[date(2025, 10, 20), date(2031, 1, 2)],  # a local day off; years away
        extra_workdays=[date(2025, 10, 19)],
    )
    deadlines = case_deadlines(configured, at("2025-09-20T10:00:00+08:00"))
    assert deadlines.plan_working_days == 5
    assert date(2025, 10, 20) in deadlines.holidays and date(2025, 10, 1) in deadlines.holidays
    assert date(2031, 1, 2) not in deadlines.holidays
    assert {date(2025, 10, 19), date(2025, 10, 11)} <= set(deadlines.extra_workdays)


def test_the_opening_day_is_counted_in_china_time() -> None:
    # 23:30 UTC on 30 September is already 1 October in China: the span starts then
    deadlines = case_deadlines(Deadlines(), datetime(2025, 9, 30, 23, 30, tzinfo=UTC))
    assert min(deadlines.holidays) == date(2025, 10, 1)
    assert date(2025, 9, 28) not in deadlines.extra_workdays


def test_after_the_calendars_last_year_only_weekends_and_configured_dates_count() -> None:
    opened = datetime(CALENDAR_LAST_YEAR + 1, 1, 5, 9, tzinfo=CST)
    configured = Deadlines(holidays=[date(CALENDAR_LAST_YEAR + 1, 1, 6)])
    deadlines = case_deadlines(configured, opened)
    assert deadlines.holidays == [date(CALENDAR_LAST_YEAR + 1, 1, 6)]
    assert deadlines.extra_workdays == []
