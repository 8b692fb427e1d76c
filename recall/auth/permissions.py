"""The permission table of DOMAIN.md as pure checks on a principal and a resource.

Two questions, always in this order: may the caller see it (else 404, as if it did not exist)?
may the caller do this to it (else 403)?"""

from collections.abc import Iterable

from recall.auth.principal import Principal

# What each role may do to a recall case it can see.
REGULATOR_CASE_ACTS = frozenset(
    {"assess", "decide", "accept_plan", "add_hazard", "verify", "close"}
)
ENTERPRISE_CASE_ACTS = frozenset({"submit_plan", "eliminate_hazard", "report_progress"})
CASE_ACTS = REGULATOR_CASE_ACTS | ENTERPRISE_CASE_ACTS


def in_regions(p: Principal, region_code: str | None) -> bool:
    return p.is_admin or (p.role == "regulator" and region_code in p.regions)


def can_see_case(p: Principal, region_code: str | None, enterprise_ids: Iterable[str]) -> bool:
    if p.is_admin:
        return True
    if p.role == "regulator":
        return region_code in p.regions
    if p.role == "enterprise":
        return p.enterprise_id in set(enterprise_ids)
    return False


def may_act_on_case(
    p: Principal, act: str, region_code: str | None, enterprise_ids: Iterable[str]
) -> bool:
    if act not in CASE_ACTS:
        raise ValueError(f"unknown case act {act}")
    if p.is_admin:
        return True
    if p.role == "regulator":
        return act in REGULATOR_CASE_ACTS and region_code in p.regions
    if p.role == "enterprise":
        return act in ENTERPRISE_CASE_ACTS and p.enterprise_id in set(enterprise_ids)
    return False


def may_eliminate_hazard(p: Principal, hazard_enterprise_id: str) -> bool:
    """An enterprise records eliminations of its own hazards only."""
    return p.role != "enterprise" or p.enterprise_id == hazard_enterprise_id


def may_open_case(p: Principal, region_code: str | None) -> bool:
    return in_regions(p, region_code)


def can_see_report(p: Principal, region_code: str | None, enterprise_ids: Iterable[str]) -> bool:
    if p.is_admin:
        return True
    if p.role == "regulator":  # overseas leads have no region yet: every regulator watches them
        return region_code is None or region_code in p.regions
    if p.role == "enterprise":
        return p.enterprise_id in set(enterprise_ids)
    return False


def may_file_report(p: Principal, source: str, region_code: str | None) -> bool:
    if p.role == "enterprise":
        return source == "enterprise_self_report"
    return in_regions(p, region_code)


def may_manage_reference_data(p: Principal) -> bool:
    return p.is_admin


def may_register_enterprise(p: Principal, region_code: str) -> bool:
    return in_regions(p, region_code)


def may_import_notices(p: Principal) -> bool:
    return p.role in ("admin", "regulator")


def may_read_audit(p: Principal) -> bool:
    return p.is_admin
