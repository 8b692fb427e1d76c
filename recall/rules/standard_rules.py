"""The standard stage machine of DOMAIN.md as plain checks (stdlib only).

ISO-style harmonized stage codes with the Chinese group-standard names beside them. Each check
takes the standard's state (see workflows.standard_types.StandardState) and the command, and
raises RuleViolation with a message for a person when the command is not allowed now. The
workflow runs them in its Update validators and again in the handlers.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from recall.rules.limits import MAX_COMMENT_PERIOD_DAYS, MAX_COMMENTS_PER_STANDARD
from recall.rules.refusal import RuleViolation

__all__ = ["RuleViolation"]

# code -> (name, 中文名)
STAGES: dict[str, tuple[str, str]] = {
    "00.00": ("proposal", "提案"),
    "10.99": ("approved project", "立项"),
    "20.00": ("working draft", "起草"),
    "40.20": ("public comment", "征求意见"),
    "40.60": ("comments closed", "征求意见截止"),
    "50.20": ("technical review/ballot", "审查"),
    "50.60": ("approved", "批准"),
    "60.60": ("published", "发布"),
    "95.99": ("withdrawn", "撤销"),
}
ORDER = ("00.00", "10.99", "20.00", "40.20", "40.60", "50.20", "50.60", "60.60")
PROPOSAL, PUBLIC_COMMENT, COMMENTS_CLOSED = "00.00", "40.20", "40.60"
REVIEW, APPROVED, PUBLISHED, WITHDRAWN = "50.20", "50.60", "60.60", "95.99"
TERMINAL_STAGES = (PUBLISHED, WITHDRAWN)
DEFAULT_COMMENT_PERIOD_DAYS = 30

KINDS = ("group", "industry", "zhejiang_made", "local", "national")
DISPOSITIONS = ("accepted", "partially_accepted", "rejected")
DISPOSITIONS_NEEDING_REASON = ("partially_accepted", "rejected")
VOTES = ("approve", "disapprove", "abstain")
# Where a disposition may be recorded: while comments come in, and after they close.
DISPOSITION_STAGES = (PUBLIC_COMMENT, COMMENTS_CLOSED)


def stage_label(code: str) -> str:
    name, zh = STAGES.get(code, ("unknown", "?"))
    return f"{code} {name} ({zh})"


def _invalid(message: str, field: str) -> RuleViolation:
    return RuleViolation(message, code="invalid_field", field=field)


def _name(state: Any) -> str:
    return f"standard {state.standard_id}"


def check_open(state: Any) -> None:
    """Nothing more changes once a standard is published or withdrawn."""
    if state.stage_code in TERMINAL_STAGES:
        raise RuleViolation(
            f"{_name(state)} is {stage_label(state.stage_code)}; nothing more can change"
        )


def check_transition(state: Any, to: str, comment_period_days: float | None) -> None:
    if to not in STAGES:
        raise _invalid(f"'{to}' is not a stage code; use one of {', '.join(STAGES)}", "to")
    if comment_period_days is not None:
        if to != PUBLIC_COMMENT:
            raise _invalid(
                f"comment_period_days applies only to {stage_label(PUBLIC_COMMENT)}",
                "comment_period_days",
            )
        if not 0 <= comment_period_days <= MAX_COMMENT_PERIOD_DAYS:
            raise _invalid(
                f"comment_period_days must be from 0 to {MAX_COMMENT_PERIOD_DAYS}",
                "comment_period_days",
            )
    check_open(state)
    current = state.stage_code
    if to == WITHDRAWN:
        return
    if to == COMMENTS_CLOSED and current == PUBLIC_COMMENT:
        ends = state.comment_period_ends_at
        raise RuleViolation(
            f"comments close by themselves at {ends.isoformat() if ends else '?'}; "
            "closing early is refused"
        )
    wanted = ORDER[ORDER.index(current) + 1]
    if to != wanted:
        what = "is already at" if to == current else "is at"
        raise RuleViolation(
            f"{_name(state)} {what} {stage_label(current)}; the next stage is "
            f"{stage_label(wanted)}, not {stage_label(to)}"
            + (" (comments close by themselves)" if wanted == COMMENTS_CLOSED else "")
        )
    if to == REVIEW:
        pending = undisposed_comments(state)
        if pending:
            n = len(pending)
            noun = "comment has" if n == 1 else "comments have"
            raise RuleViolation(
                f"{_name(state)}: {n} {noun} no disposition: {', '.join(pending)}; "
                "dispose every comment before technical review"
            )
    if to == APPROVED:
        ballot = state.ballot
        if ballot is None:
            raise RuleViolation(f"{_name(state)} has no review ballot yet; approval needs one")
        if not ballot.passed:
            raise RuleViolation(
                f"{_name(state)}: the ballot did not pass ({ballot.approve} approve of "
                f"{ballot.approve + ballot.disapprove} cast; approval needs at least 3/4)"
            )


def undisposed_comments(state: Any) -> list[str]:
    return [c.id for c in state.comments.values() if c.disposition is None]


def check_comment(state: Any, comment_id: str, now: datetime) -> None:
    if comment_id in state.comments:
        raise RuleViolation(f"comment {comment_id} is already recorded", code="conflict")
    check_open(state)
    if len(state.comments) >= MAX_COMMENTS_PER_STANDARD:
        raise RuleViolation(
            f"{_name(state)} has {len(state.comments)} comments, the most one standard may hold"
        )
    if state.stage_code != PUBLIC_COMMENT:
        raise RuleViolation(
            f"{_name(state)} is at {stage_label(state.stage_code)}; comments are taken only "
            f"during {stage_label(PUBLIC_COMMENT)}"
        )
    ends = state.comment_period_ends_at
    if ends is not None and now >= ends:
        raise RuleViolation(f"the public comment period of {_name(state)} ended at {ends}")


def check_dispose(state: Any, comment_id: str, disposition: str, reason: str | None) -> None:
    if comment_id not in state.comments:
        raise RuleViolation(f"{_name(state)} has no comment {comment_id}", code="not_found")
    if disposition not in DISPOSITIONS:
        raise _invalid(f"disposition must be one of {', '.join(DISPOSITIONS)}", "disposition")
    if disposition in DISPOSITIONS_NEEDING_REASON and not (reason or "").strip():
        raise _invalid(f"a comment {disposition.replace('_', ' ')} needs a reason", "reason")
    check_open(state)
    if state.stage_code not in DISPOSITION_STAGES:
        raise RuleViolation(
            f"{_name(state)} is at {stage_label(state.stage_code)}; dispositions are recorded "
            f"during {stage_label(PUBLIC_COMMENT)} and {stage_label(COMMENTS_CLOSED)}"
        )


@dataclass(frozen=True)
class Tally:
    approve: int
    disapprove: int
    abstain: int
    passed: bool


def tally(votes: Iterable[str]) -> Tally:
    """Approval needs approvals of at least 3/4 of the votes cast (approve + disapprove;
    abstentions are not cast), and at least one vote cast."""
    votes = list(votes)
    approve, disapprove = votes.count("approve"), votes.count("disapprove")
    cast = approve + disapprove
    return Tally(approve, disapprove, votes.count("abstain"), cast > 0 and 4 * approve >= 3 * cast)


def _voter_key(voter: str) -> str:
    return voter.strip().casefold()


def check_ballot(state: Any, votes: list[tuple[str, str]]) -> None:
    """votes: (voter, vote) pairs."""
    if not votes:
        raise _invalid("a ballot needs at least one vote", "votes")
    seen: set[str] = set()
    drafters = {_voter_key(d) for d in state.drafters}
    for voter, vote in votes:
        if not voter.strip():
            raise _invalid("every vote names its voter", "votes")
        if vote not in VOTES:
            raise _invalid(f"{voter}: a vote is one of {', '.join(VOTES)}, not '{vote}'", "votes")
        key = _voter_key(voter)
        if key in seen:
            raise _invalid(f"{voter} votes more than once", "votes")
        if key in drafters:
            raise _invalid(f"{voter} is one of the drafters; drafting members do not vote", "votes")
        seen.add(key)
    check_open(state)
    if state.stage_code != REVIEW:
        raise RuleViolation(
            f"{_name(state)} is at {stage_label(state.stage_code)}; a ballot is held only in "
            f"{stage_label(REVIEW)}"
        )
