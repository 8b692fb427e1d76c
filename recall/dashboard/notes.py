"""Milestone notes in the reader's language. The workflows write a note as a short English line
around what people typed ("refund, 1000 units: <summary>"); the parts the system wrote are put in
the reader's words here, and what a person typed stays exactly as typed."""

import re
from collections.abc import Callable

from recall.dashboard.i18n import Labels

_PATTERNS: dict[str, tuple[re.Pattern, Callable[[re.Match, Labels], str]]] = {
    "reported": (re.compile(r"case opened$"), lambda m, t: t("note.case_opened")),
    "assessed": (
        re.compile(
            r"risk (?P<level>\w+) \(severity (?P<severity>\d), probability (?P<probability>\w+)\)"
            r"(?:; matrix gave (?P<computed>\w+), overridden: (?P<reason>.*))?$",
            re.S,
        ),
        lambda m, t: (
            t(
                "note.assessed",
                level=t.code("risk", m["level"]),
                severity=m["severity"],
                probability=t.code("probability", m["probability"]),
            )
            + (
                t("note.overridden", computed=t.code("risk", m["computed"]), reason=m["reason"])
                if m["computed"]
                else ""
            )
        ),
    ),
    "decided": (
        re.compile(
            r"(?P<decision>voluntary_recall|ordered_recall|no_recall)(?:: (?P<rest>.*))?$", re.S
        ),
        lambda m, t: (
            t.code("decision", m["decision"]) + (t("note.sep") + m["rest"] if m["rest"] else "")
        ),
    ),
    "plan_submitted": (
        re.compile(r"(?P<remedy>\w+), (?P<units>\d+) units: (?P<summary>.*)$", re.S),
        lambda m, t: (
            t("note.plan", remedy=t.code("remedy", m["remedy"]), units=f"{int(m['units']):,}")
            + m["summary"]
        ),
    ),
    "progress_reported": (
        re.compile(
            r"(?P<units>\d+) units corrected \((?P<rate>[\d.]+%)\)(?::(?P<rest>.*))?$", re.S
        ),
        lambda m, t: (
            t("note.progress", units=f"{int(m['units']):,}", rate=m["rate"])
            + (t("note.sep") + m["rest"].strip() if m["rest"] else "")
        ),
    ),
}
_CATEGORY = re.compile(r"^(?P<who>.*) \((?P<category>[a-z_]+)\)$", re.S)


def localized_note(kind: str, note: str, t: Labels) -> str:
    if kind == "hazard_identified" and (m := _CATEGORY.match(note)):
        return t("note.hazard", who=m["who"], category=t.code("category", m["category"]))
    pattern = _PATTERNS.get(kind)
    if pattern is None or not note:
        return note
    m = pattern[0].match(note)
    return pattern[1](m, t) if m else note
