"""Milestones of the chain's pages in the reader's language.

The workflows write a note as a short English line around what people typed ("registration no.
<no>: <note>"); the parts the system wrote are put in the reader's words here, ids become the
names the reader may see, and what a person typed stays exactly as typed."""

import re
from collections.abc import Callable, Mapping

from recall.dashboard.i18n import Labels
from recall.dashboard.views import when
from workflows.brand_cultivation import LABELLED_NOTE

Rewrite = Callable[[re.Match, Labels, Mapping[str, str]], str]


def _typed(m: re.Match, t: Labels) -> str:
    """What a person typed after the system's words, with the reader's separator."""
    return t("note.sep") + m["rest"] if m["rest"] else ""


def _name(names: Mapping[str, str], thing_id: str) -> str:
    return names.get(thing_id, thing_id)


_NOTES: dict[str, tuple[re.Pattern, Rewrite]] = {
    # an association
    "proposed": (
        re.compile(r"(?P<name>.*): (?P<n>\d+) founding members$", re.S),
        lambda m, t, _: t("chain.note.founded", name=m["name"], n=m["n"]),
    ),
    "registered": (
        re.compile(r"registration no\. (?P<no>\S+)(?:: (?P<rest>.*))?$", re.S),
        lambda m, t, _: t("chain.note.registered", no=m["no"]) + _typed(m, t),
    ),
    # a brand cultivation
    "enrolled": (
        re.compile(
            r"enterprise (?P<enterprise>\S+) enrolled in the cultivation pool \(梯度培育库\) "
            r"of programme (?P<programme>\S+?)(?:, tier (?P<tier>.*))?$",
            re.S,
        ),
        lambda m, t, names: (
            t(
                "chain.note.enrolled",
                enterprise=_name(names, m["enterprise"]),
                programme=_name(names, m["programme"]),
            )
            + (t("chain.note.tier", tier=m["tier"]) if m["tier"] else "")
        ),
    ),
    "certified": (
        re.compile(r"certificate no\. (?P<no>.+?)(?:: (?P<rest>.*))?$", re.S),
        lambda m, t, _: t("chain.note.certified", no=m["no"]) + _typed(m, t),
    ),
    "labelled": (
        re.compile(re.escape(LABELLED_NOTE) + r"(?:: (?P<rest>.*))?$", re.S),
        lambda m, t, _: t("chain.note.labelled") + _typed(m, t),
    ),
    # either, when a programme takes it
    "linked": (
        re.compile(r"reports to programme (?P<programme>\S+)$"),
        lambda m, t, names: t("chain.note.linked", programme=_name(names, m["programme"])),
    ),
    # a programme
    "started": (
        re.compile(r"(?P<n>\d+) case\(s\)$"),
        lambda m, t, _: t("chain.note.started", n=m["n"]),
    ),
    "stage_waiver": (
        re.compile(r"(?P<stage>[a-z_]+): (?P<rest>.*)$", re.S),
        lambda m, t, _: t.code("programme_stage", m["stage"]) + _typed(m, t),
    ),
    "completed": (
        re.compile(r"the whole chain is done$"),
        lambda m, t, _: t("chain.note.completed"),
    ),
}


def localized_note(kind: str, note: str | None, t: Labels, names: Mapping[str, str]) -> str:
    if not note:
        return ""
    pattern = _NOTES.get(kind)
    m = pattern[0].match(note) if pattern else None
    return pattern[1](m, t, names) if m else note


def member_timeline(
    milestones: list, t: Labels, stage_group: str, names: Mapping[str, str]
) -> list[dict]:
    """An association's or a cultivation's milestones: each stage taken, by its name."""
    return [
        {
            "at": when(m.at),
            "kind": m.kind,
            "event": t.code(stage_group, m.kind)
            if t.knows(stage_group, m.kind)
            else t.code("milestone", m.kind),
            "stage": "",
            "actor": m.actor,
            "note": localized_note(m.kind, m.note, t, names),
            "alert": False,
        }
        for m in milestones
    ]


def programme_timeline(items: list[dict], t: Labels) -> list[dict]:
    """The programme's timeline as recall.dashboard.details made it, its system notes put in the
    reader's words (waiver reasons stay as typed)."""
    return [{**m, "note": localized_note(m["kind"], m["note"], t, {})} for m in items]
