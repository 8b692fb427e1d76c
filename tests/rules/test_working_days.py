"""Tests for working-day deadline arithmetic."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from recall.rules.working_days import add_days, add_working_days

CST = timezone(timedelta(hours=8))


def midnight(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T00:00:00+08:00")


def test_friday_plus_one_ends_monday_midnight() -> None:
    friday = datetime(2024, 5, 10, 15, 30, tzinfo=CST)
    result = add_working_days(friday, 1)
    assert result == midnight("2024-05-14")
    assert result.utcoffset() == timedelta(hours=8)


def test_ten_working_days_from_wednesday() -> None:
    wednesday = datetime(2024, 5, 15, 9, 0, tzinfo=CST)
    assert add_working_days(wednesday, 10) == midnight("2024-05-30")


def test_utc_start_already_next_local_day() -> None:
    # Thursday 20:00 UTC is Friday 04:00 in +08:00.
    start = datetime(2024, 5, 9, 20, 0, tzinfo=UTC)
    assert add_working_days(start, 1) == midnight("2024-05-14")
    assert add_working_days(start, 0) == midnight("2024-05-11")


def test_zero_days_is_end_of_own_day() -> None:
    assert add_working_days(datetime(2024, 5, 11, 23, 59, tzinfo=CST), 0) == midnight("2024-05-12")


def test_holidays_skipped() -> None:
    labour_day = frozenset(date(2024, 5, d) for d in range(1, 6))
    start = datetime(2024, 4, 30, 10, 0, tzinfo=CST)
    assert add_working_days(start, 1, holidays=labour_day) == midnight("2024-05-07")


def test_extra_workdays_counted() -> None:
    friday = datetime(2024, 5, 10, 10, 0, tzinfo=CST)
    make_up = frozenset({date(2024, 5, 11)})
    assert add_working_days(friday, 1, extra_workdays=make_up) == midnight("2024-05-12")
    assert add_working_days(friday, 2, extra_workdays=make_up) == midnight("2024-05-14")


def test_other_offset() -> None:
    start = datetime(2024, 5, 10, 1, 0, tzinfo=CST)  # Thursday 17:00 UTC
    result = add_working_days(start, 1, utc_offset_hours=0)
    assert result == datetime(2024, 5, 11, tzinfo=UTC)
    assert result.utcoffset() == timedelta(0)


def test_naive_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_days(datetime(2024, 5, 10, 12, 0), 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        add_days(datetime(2024, 5, 10, 12, 0), 1)


def test_negative_days_rejected() -> None:
    with pytest.raises(ValueError, match="days must be >= 0"):
        add_working_days(datetime(2024, 5, 10, tzinfo=CST), -1)


def test_add_days_is_calendar_arithmetic() -> None:
    start = datetime(2024, 5, 10, 15, 30, tzinfo=CST)
    assert add_days(start, 3) == datetime(2024, 5, 13, 15, 30, tzinfo=CST)
    assert add_days(start, 0) == start
