"""The permission table of DOMAIN.md as pure checks on a principal and a resource.

Two questions, always in this order: may the caller see it (else 404, as if it did not exist)?
may the caller do this to it (else 403)?"""

from collections.abc import Iterable

from recall.auth.principal import Principal

# What each role may do to a recall case it can see.
REGULATOR_CASE_ACTS = frozenset(
    {
        "assess",
        "decide",
        "accept_plan",
        "return_plan",
        "add_hazard",
        "reopen_hazard",
        "verify",
        "close",
    }
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


def may_manage_tokens(p: Principal) -> bool:
    return p.is_admin


def may_import_notices(p: Principal) -> bool:
    return p.role in ("admin", "regulator")


def may_read_audit(p: Principal) -> bool:
    return p.is_admin


# --- the industry chain ---------------------------------------------------------------------


def _overlaps(p: Principal, region_codes: Iterable[str]) -> bool:
    return p.role == "regulator" and bool(set(region_codes) & set(p.regions))


def can_see_programme(
    p: Principal,
    region_codes: Iterable[str],
    association_ids: Iterable[str],
    cultivated_enterprise_ids: Iterable[str],
) -> bool:
    if p.is_admin or _overlaps(p, region_codes):
        return True
    if p.role == "association":
        return p.association_id in set(association_ids)
    if p.role == "enterprise":
        return p.enterprise_id in set(cultivated_enterprise_ids)
    return False


def may_run_programme(p: Principal, region_codes: Iterable[str]) -> bool:
    """Start a programme, waive its stages, link associations, enrol enterprises: a regulator
    whose regions cover every region of the programme's cases."""
    regions = set(region_codes)
    return p.is_admin or (p.role == "regulator" and bool(regions) and regions <= set(p.regions))


def may_create_association(p: Principal, region_codes: Iterable[str]) -> bool:
    return p.is_admin or _overlaps(p, region_codes)


def may_change_association(p: Principal, association_id: str, region_codes: Iterable[str]) -> bool:
    """An association changes only itself; regulators of its members' regions may too."""
    if p.role == "association":
        return p.association_id == association_id
    return p.is_admin or _overlaps(p, region_codes)


def may_draft_standard(
    p: Principal, drafting_association_id: str | None, programme_region_codes: Iterable[str]
) -> bool:
    """Create and advance a standard: its drafting association, or the programme's regulators."""
    if p.role == "association":
        return drafting_association_id is not None and p.association_id == drafting_association_id
    return p.is_admin or _overlaps(p, programme_region_codes)


def may_comment_on_standard(p: Principal) -> bool:
    """Public comment (征求意见) is open to every signed-in principal."""
    return True


def can_see_cultivation(
    p: Principal, enterprise_id: str, programme_region_codes: Iterable[str]
) -> bool:
    """The enterprise cultivated, and regulators of the programme's regions. An association sees
    its own association and the standards it drafts (DOMAIN.md), not brand cultivations."""
    if p.role == "enterprise":
        return p.enterprise_id == enterprise_id
    return p.is_admin or _overlaps(p, programme_region_codes)


def may_run_cultivation(p: Principal, programme_region_codes: Iterable[str]) -> bool:
    return p.is_admin or _overlaps(p, programme_region_codes)
