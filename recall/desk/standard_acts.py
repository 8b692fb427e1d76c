"""Which acts a person may do on a standard now, and the forms' input as the API's request
models. The permission table (recall.auth.permissions) and the stage machine's own checks
(recall.rules.standard_rules) run on the standard as the read model holds it, so the page offers
exactly the forms whose act the API would take; the workflow checks again when the act comes."""

from collections.abc import Callable
from datetime import datetime
from itertools import zip_longest
from types import SimpleNamespace
from typing import Any

from pydantic import BaseModel
from starlette.datastructures import FormData

from recall.auth import permissions
from recall.auth.principal import Principal
from recall.errors import InvalidField
from recall.rules import standard_rules as rules
from recall.rules.refusal import RuleViolation
from recall.standards.schemas import BallotIn, CommentIn, DispositionIn, TransitionIn

# The acts of the forms (docs/API.md, "Form conventions") and the API's request model of each.
MODELS: dict[str, type[BaseModel]] = {
    "transition": TransitionIn,
    "comment": CommentIn,
    "dispose_comment": DispositionIn,
    "ballot": BallotIn,
}
BALLOT_ROWS = 10  # empty voter rows on the page; an empty row is skipped
_PROBE_ID = "cmt_probe"  # a comment id no standard holds: asks whether a comment is taken now
_PROBE_VOTER = "ballot probe"  # a voter who is no drafter: asks whether a ballot is held now


def rule_state(view: dict) -> SimpleNamespace:
    """The standard of the read model (recall.standards.service.standard_view) shaped as the
    rules read a workflow's state."""
    ballot = view.get("ballot")
    return SimpleNamespace(
        standard_id=view["id"],
        stage_code=view["stage_code"],
        drafters=list(view.get("drafters") or []),
        comment_period_ends_at=view.get("comment_period_ends_at"),
        comments={c["id"]: SimpleNamespace(**c) for c in view["comments"]},
        ballot=SimpleNamespace(**ballot) if ballot else None,
    )


def _passes(check: Callable[..., None], *args: Any) -> bool:
    try:
        check(*args)
    except RuleViolation:
        return False
    return True


def next_stages(state: SimpleNamespace) -> list[str]:
    """The stage codes a transition may go to now (the withdrawal included)."""
    return [code for code in rules.STAGES if _passes(rules.check_transition, state, code, None)]


def blocked_next(state: SimpleNamespace) -> tuple[str, dict] | None:
    """Why the next stage in order is not offered, as a label key and its values (or None)."""
    code = state.stage_code
    if code in rules.TERMINAL_STAGES or code not in rules.ORDER:
        return None
    wanted = rules.ORDER[rules.ORDER.index(code) + 1]
    if _passes(rules.check_transition, state, wanted, None):
        return None
    if wanted == rules.COMMENTS_CLOSED:
        return "std.hint.closes_itself", {}
    if wanted == rules.REVIEW:
        return "std.hint.undisposed", {"n": len(rules.undisposed_comments(state))}
    if wanted == rules.APPROVED:
        return "std.hint.ballot", {}
    return None


def may_change(principal: Principal, view: dict, programme_regions: list[str]) -> bool:
    """Advance, dispose, hold the ballot: the drafting association or the programme's regulators."""
    return permissions.may_draft_standard(
        principal, view["drafting_association_id"], programme_regions
    )


def standard_acts(
    principal: Principal, view: dict, programme_regions: list[str], now: datetime
) -> tuple[list[str], list[str]]:
    """The standard's acts this person may do now, and the comments they may dispose of."""
    state = rule_state(view)
    acts: list[str] = []
    disposable: list[str] = []
    changes = may_change(principal, view, programme_regions)
    if changes and next_stages(state):
        acts.append("transition")
    if permissions.may_comment_on_standard(principal) and _passes(
        rules.check_comment, state, _PROBE_ID, now
    ):
        acts.append("comment")
    if changes:
        disposable = [
            cid
            for cid in rules.undisposed_comments(state)
            if _passes(rules.check_dispose, state, cid, rules.DISPOSITIONS[0], None)
        ]
        if _passes(rules.check_ballot, state, [(_PROBE_VOTER, rules.VOTES[0])]):
            acts.append("ballot")
    return acts, disposable


def ballot_rows(form: FormData) -> list[tuple[str, str]]:
    """The voter and vote inputs, row by row as the page has them; empty rows left out."""
    voters = [v for v in form.getlist("voter") if isinstance(v, str)]
    votes = [v for v in form.getlist("vote") if isinstance(v, str)]
    rows = zip_longest(voters, votes, fillvalue="")
    return [(voter, vote) for voter, vote in rows if voter.strip() or vote.strip()]


def ballot_values(rows: list[tuple[str, str]]) -> dict[str, Any]:
    """The rows as the API's body: {"votes": [{voter, vote}]}."""
    return {"votes": [{"voter": voter, "vote": vote} for voter, vote in rows]}


def with_period_days(values: dict[str, Any]) -> dict[str, Any]:
    """A number input sends text; the API takes `comment_period_days` as a JSON number."""
    raw = values.get("comment_period_days")
    if not isinstance(raw, str) or not raw.strip():
        return values
    try:
        days = float(raw.strip())
    except ValueError:
        raise InvalidField(
            "comment_period_days must be a number", field="comment_period_days"
        ) from None
    return {**values, "comment_period_days": days}
