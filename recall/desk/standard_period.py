"""The public comment period of a standard as the pages tell it: not open yet, running (until
when, and how long is left), or over (since when)."""

import math
from datetime import datetime

from recall.dashboard.i18n import Labels
from recall.dashboard.views import when
from recall.rules import standard_rules as rules

NOT_OPEN, RUNNING, OVER, WITHDRAWN = "not_open", "running", "over", "withdrawn"
OPENS = rules.ORDER.index(rules.PUBLIC_COMMENT)


def time_left(ends: datetime, now: datetime, t: Labels) -> str:
    seconds = (ends - now).total_seconds()
    if seconds <= 0:
        return t("std.period_over")
    if seconds >= 86400:
        return t("std.left_days", n=round(seconds / 86400))
    if seconds >= 3600:
        return t("std.left_hours", n=int(seconds // 3600))
    return t("std.left_minutes", n=max(1, math.ceil(seconds / 60)))


def period_length(days: float, t: Labels) -> str:
    """30 days as days; a period under a day (demos, tests) in hours, minutes or seconds."""
    if days >= 1:
        return t("std.length_days", n=f"{days:g}")
    seconds = days * 86400
    if seconds >= 3600:
        return t("std.length_hours", n=f"{seconds / 3600:.3g}")
    if seconds >= 60:
        return t("std.length_minutes", n=f"{seconds / 60:.3g}")
    return t("std.length_seconds", n=f"{seconds:.0f}")


def comment_period(view: dict, now: datetime, t: Labels) -> dict:
    """{state, date (UTC, as data-due), at, left, length} of the standard's comment period."""
    ends = view.get("comment_period_ends_at")
    days = view.get("comment_period_days")
    stage = view["stage_code"]
    if stage == rules.WITHDRAWN:
        state = WITHDRAWN
    elif ends is None or rules.ORDER.index(stage) < OPENS:
        state = NOT_OPEN
    elif stage == rules.PUBLIC_COMMENT and now < ends:
        state = RUNNING
    else:
        state = OVER
    return {
        "state": state,
        "date": ends.date().isoformat() if ends else "",
        "at": when(ends),
        "left": time_left(ends, now, t) if state == RUNNING else "",
        "length": period_length(days, t) if days is not None else "",
    }
