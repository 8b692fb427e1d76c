"""A standard's milestone notes in the reader's language: the workflow writes short English lines
around what people typed ("<comment id> from <author> on clause 5.2"); the system's words are put
in the reader's words here, and what people typed (titles, authors, reasons) stays as typed."""

import re
from collections.abc import Callable
from datetime import datetime

from recall.dashboard.i18n import Labels
from recall.dashboard.views import when

Note = tuple[re.Pattern, Callable[[re.Match, Labels], str]]


def _moment(iso: str) -> str:
    try:
        return when(datetime.fromisoformat(iso))
    except ValueError:
        return iso


def _typed(m: re.Match, t: Labels, name: str = "note") -> str:
    return t("note.sep") + m[name] if m[name] else ""


_NOTES: dict[str, Note] = {
    "proposed": (
        re.compile(r"(?P<kind>\w+) standard: (?P<title>.*)$", re.S),
        lambda m, t: t("snote.proposed", kind=t.code("standard_kind", m["kind"]), title=m["title"]),
    ),
    "public_comment_opened": (
        re.compile(
            r"public comment for (?P<days>\S+) days, until (?P<until>\S+?)(?:: (?P<note>.*))?$",
            re.S,
        ),
        lambda m, t: t("snote.period", days=m["days"], until=_moment(m["until"])) + _typed(m, t),
    ),
    "comments_closed": (
        re.compile(r"public comment ended at (?P<at>\S+); (?P<n>\d+) comments?$"),
        lambda m, t: t("snote.closed", at=_moment(m["at"]), n=m["n"]),
    ),
    "comment_received": (
        re.compile(r"\S+ from (?P<author>.*?)(?: on clause (?P<clause>.*))?$", re.S),
        lambda m, t: (
            t("snote.comment", author=m["author"])
            + (t("snote.clause", clause=m["clause"]) if m["clause"] else "")
        ),
    ),
    "comment_disposed": (
        re.compile(r"\S+ (?P<d>accepted|partially_accepted|rejected)(?:: (?P<note>.*))?$", re.S),
        lambda m, t: t.code("disposition", m["d"]) + _typed(m, t),
    ),
    "ballot_recorded": (
        re.compile(
            r"(?P<a>\d+) approve, (?P<d>\d+) disapprove, (?P<x>\d+) abstain: "
            r"(?P<o>passed|not passed)$"
        ),
        lambda m, t: (
            t("snote.ballot", a=m["a"], d=m["d"], x=m["x"])
            + t("snote.passed" if m["o"] == "passed" else "snote.failed")
        ),
    ),
}


def standard_note(kind: str, note: str | None, t: Labels) -> str:
    if not note:
        return ""
    known = _NOTES.get(kind)
    m = known[0].match(note) if known else None
    return known[1](m, t) if m else note
