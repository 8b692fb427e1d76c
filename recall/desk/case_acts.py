"""Which acts a person may do on a case now: the permission table (recall.auth.permissions) and
the stage machine's own checks (recall.rules.case_rules) on the case as the read model holds it,
so a page offers exactly the forms whose act the API would take."""

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from recall.auth import permissions
from recall.auth.principal import Principal
from recall.rules import case_rules
from recall.rules.refusal import RuleViolation

# The act of the forms (docs/API.md, "Form conventions") and the check of the stage machine.
CASE_ACTS: dict[str, Callable[[Any], None]] = {
    "assess": lambda s: case_rules.check_assess(s),
    "decide": lambda s: case_rules.check_decide(s, case_rules.DECISIONS[0]),
    "submit_plan": case_rules.check_submit_plan,
    "accept_plan": case_rules.check_accept_plan,
    "return_plan": case_rules.check_return_plan,
    "add_hazard": lambda s: case_rules.check_add_hazard(s, ""),
    "report_progress": lambda s: case_rules.check_progress(s, s.units_corrected or 0),
    "verify": case_rules.check_verify,
    "close": case_rules.check_close,
}
HAZARD_ACTS: dict[str, Callable[[Any, str], None]] = {
    "eliminate_hazard": lambda s, hazard_id: case_rules.check_eliminate(s, hazard_id),
    "reopen_hazard": case_rules.check_reopen,
}


def rule_state(case: dict) -> SimpleNamespace:
    """The case of the read model shaped as the rules read a workflow's state."""
    plan = case.get("plan")
    return SimpleNamespace(
        number=case["number"],
        stage=case["stage"],
        decision=case["decision"],
        plan=SimpleNamespace(**plan) if plan else None,
        units_corrected=case["units_corrected"],
        hazards={h["id"]: SimpleNamespace(**h) for h in case["hazards"]},
    )


def _passes(check: Callable[..., None], *args: Any) -> bool:
    try:
        check(*args)
    except RuleViolation:
        return False
    return True


def may(principal: Principal, act: str, case: dict, hazard: dict | None = None) -> bool:
    """Whether the API would let this person do this act now (stage and role alike)."""
    if not permissions.may_act_on_case(principal, act, case["region_code"], case["enterprise_ids"]):
        return False
    state = rule_state(case)
    if act in HAZARD_ACTS:
        if hazard is None:
            return False
        if act == "eliminate_hazard" and not permissions.may_eliminate_hazard(
            principal, hazard["enterprise_id"]
        ):
            return False
        return _passes(HAZARD_ACTS[act], state, hazard["id"])
    return _passes(CASE_ACTS[act], state)


def case_acts(principal: Principal, case: dict) -> list[str]:
    return [act for act in CASE_ACTS if may(principal, act, case)]


def hazard_acts(principal: Principal, case: dict, hazard: dict) -> list[str]:
    return [act for act in HAZARD_ACTS if may(principal, act, case, hazard)]
