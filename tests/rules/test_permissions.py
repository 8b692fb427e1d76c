"""The permission table (recall.auth.permissions) against DOMAIN.md "Who uses it" and "What each
may do": every principal against every act and visibility check, as one matrix.

Regulators are scoped to regions (婺城区 A, 金东区 B); an enterprise to itself; an association to
itself. "nobody" is a caller without a principal: the API answers 401 before these checks run,
and the table must never grant it anything (reading a role it does not have counts as a no) —
save public comment on a draft standard, which DOMAIN.md opens to the public."""

from collections.abc import Callable

import pytest

from recall.auth import permissions as perm
from recall.auth.principal import Principal

A, B = "330702", "330703"  # 婺城区, 金东区

WHO: dict[str, Principal | None] = {
    "admin": Principal("管理员", role="admin"),
    "reg_A": Principal("王监管", role="regulator", regions=(A,)),
    "reg_B": Principal("赵监管", role="regulator", regions=(B,)),
    "reg_AB": Principal("李监管", role="regulator", regions=(A, B)),
    "ent_a": Principal("金华磁业", role="enterprise", enterprise_id="ent_a"),
    "ent_b": Principal("义乌玩具", role="enterprise", enterprise_id="ent_b"),
    "asn_1": Principal("磁力玩具协会", role="association", association_id="asn_1"),
    "asn_2": Principal("五金协会", role="association", association_id="asn_2"),
    "nobody": None,
}

REGULATOR_ACTS = (
    "assess",
    "decide",
    "accept_plan",
    "return_plan",
    "add_hazard",
    "reopen_hazard",
    "verify",
    "close",
)
ENTERPRISE_ACTS = ("submit_plan", "eliminate_hazard", "report_progress")


def eliminate(p: Principal, hazard_of: str, region: str, enterprises: list[str]) -> bool:
    """What the hazard elimination route asks: the act on the case, then the hazard's owner."""
    return perm.may_act_on_case(
        p, "eliminate_hazard", region, enterprises
    ) and perm.may_eliminate_hazard(p, hazard_of)


Check = Callable[[Principal], bool]

# One row per question: the answer for each principal of WHO, in its order (Y granted, . refused),
# what is asked, and how the table is asked it.
# fmt: off
TABLE: list[tuple[str, str, Check]] = [
    # admin
    # | reg_A
    # | | reg_B
    # | | | reg_AB
    # | | | | ent_a
    # | | | | | ent_b
    # | | | | | | asn_1
    # | | | | | | | asn_2
    # | | | | | | | | nobody
    # -- a recall case of region A whose enterprise is ent_a
    ("Y Y . Y Y . . . .", "see case A/ent_a", lambda p: perm.can_see_case(p, A, ["ent_a"])),
    *[("Y Y . Y . . . . .", f"{act} on case A/ent_a",
       lambda p, act=act: perm.may_act_on_case(p, act, A, ["ent_a"]))
      for act in REGULATOR_ACTS],
    *[("Y . . . Y . . . .", f"{act} on case A/ent_a",
       lambda p, act=act: perm.may_act_on_case(p, act, A, ["ent_a"]))
      for act in ENTERPRISE_ACTS],
    # -- a case of region B: a regulator of A has no hand in it, nor ent_a
    ("Y . Y Y . Y . . .", "see case B/ent_b", lambda p: perm.can_see_case(p, B, ["ent_b"])),
    ("Y . Y Y . . . . .", "assess case B/ent_b",
     lambda p: perm.may_act_on_case(p, "assess", B, ["ent_b"])),
    ("Y . . . . Y . . .", "report progress on case B/ent_b",
     lambda p: perm.may_act_on_case(p, "report_progress", B, ["ent_b"])),
    # -- a case of two enterprises: each sees it, each eliminates its own hazards only
    ("Y Y . Y Y Y . . .", "see case A/ent_a+ent_b",
     lambda p: perm.can_see_case(p, A, ["ent_a", "ent_b"])),
    ("Y . . . Y . . . .", "eliminate ent_a's hazard on case A/ent_a+ent_b",
     lambda p: eliminate(p, "ent_a", A, ["ent_a", "ent_b"])),
    ("Y . . . . Y . . .", "eliminate ent_b's hazard on case A/ent_a+ent_b",
     lambda p: eliminate(p, "ent_b", A, ["ent_a", "ent_b"])),
    ("Y . . . . . . . .", "see a case of no region", lambda p: perm.can_see_case(p, None, [])),
    ("Y Y . Y . . . . .", "open a case in A", lambda p: perm.may_open_case(p, A)),
    ("Y . Y Y . . . . .", "open a case in B", lambda p: perm.may_open_case(p, B)),
    # -- defect reports
    ("Y Y . Y Y . . . .", "see report A/ent_a", lambda p: perm.can_see_report(p, A, ["ent_a"])),
    ("Y Y Y Y . . . . .", "see an overseas lead", lambda p: perm.can_see_report(p, None, [])),
    ("Y Y . Y . . . . .", "file a complaint in A",
     lambda p: perm.may_file_report(p, "consumer_complaint", A)),
    ("Y Y . Y Y Y . . .", "file a self-report in A",
     lambda p: perm.may_file_report(p, "enterprise_self_report", A)),
    ("Y . . . . . . . .", "file a report of no region",
     lambda p: perm.may_file_report(p, "consumer_complaint", None)),
    ("Y Y Y Y . . . . .", "import overseas notices", perm.may_import_notices),
    # -- reference data, tokens, audit
    ("Y Y . Y . . . . .", "register an enterprise in A",
     lambda p: perm.may_register_enterprise(p, A)),
    ("Y . . . . . . . .", "manage reference data", perm.may_manage_reference_data),
    ("Y . . . . . . . .", "manage tokens", perm.may_manage_tokens),
    ("Y . . . . . . . .", "read the audit trail", perm.may_read_audit),
    # -- the chain: a programme of region A linking asn_1 and a cultivation of ent_a
    ("Y Y . Y Y . Y . .", "see programme A",
     lambda p: perm.can_see_programme(p, [A], ["asn_1"], ["ent_a"])),
    ("Y Y Y Y . . . . .", "see programme A+B", lambda p: perm.can_see_programme(p, [A, B], [], [])),
    ("Y Y . Y . . . . .", "run programme A", lambda p: perm.may_run_programme(p, [A])),
    ("Y . . Y . . . . .", "run programme A+B", lambda p: perm.may_run_programme(p, [A, B])),
    ("Y . . . . . . . .", "run a programme of no region", lambda p: perm.may_run_programme(p, [])),
    ("Y Y . Y . . . . .", "create an association in A",
     lambda p: perm.may_create_association(p, [A])),
    ("Y Y . Y . . Y . .", "change asn_1 (members in A)",
     lambda p: perm.may_change_association(p, "asn_1", [A])),
    ("Y . Y Y . . Y . .", "change asn_1 (members in B)",
     lambda p: perm.may_change_association(p, "asn_1", [B])),
    ("Y Y . Y . . Y . .", "draft asn_1's standard of programme A",
     lambda p: perm.may_draft_standard(p, "asn_1", [A])),
    ("Y Y . Y . . . . .", "draft a standard of no association, programme A",
     lambda p: perm.may_draft_standard(p, None, [A])),
    ("Y Y Y Y Y Y Y Y Y", "comment on a draft standard", perm.may_comment_on_standard),
    ("Y Y . Y Y . . . .", "see ent_a's cultivation of programme A",
     lambda p: perm.can_see_cultivation(p, "ent_a", [A])),
    ("Y Y . Y . . . . .", "run a cultivation of programme A",
     lambda p: perm.may_run_cultivation(p, [A])),
]
# fmt: on


def granted(check: Callable[..., bool], p: Principal | None, *args: object) -> bool:
    try:
        return bool(check(p, *args))
    except AttributeError:
        if p is None:
            return False  # no principal to read a role from: nothing granted
        raise


def answers(check: Check) -> str:
    """A row as the table writes it."""
    return " ".join("Y" if granted(check, p) else "." for p in WHO.values())


def test_every_row_has_one_answer_per_principal() -> None:
    for row, what, _ in TABLE:
        assert len(row.split()) == len(WHO), what
        assert set(row.split()) <= {"Y", "."}, what
    assert len({what for _, what, _ in TABLE}) == len(TABLE)


@pytest.mark.parametrize(("row", "what", "check"), [pytest.param(*r, id=r[1]) for r in TABLE])
def test_the_permission_table(row: str, what: str, check: Check) -> None:
    assert answers(check) == row, f"{what}; columns: {' '.join(WHO)}"


def test_the_case_acts_are_the_ones_of_domain_md() -> None:
    assert set(REGULATOR_ACTS) == perm.REGULATOR_CASE_ACTS
    assert set(ENTERPRISE_ACTS) == perm.ENTERPRISE_CASE_ACTS
    with pytest.raises(ValueError, match="unknown case act"):
        perm.may_act_on_case(WHO["admin"], "delete", A, ["ent_a"])


def test_nobody_acts_on_a_case_it_cannot_see() -> None:
    """Seeing comes first (else 404), so every act granted is on a case the caller sees."""
    cases = [(A, ["ent_a"]), (B, ["ent_b"]), (A, ["ent_a", "ent_b"]), (None, [])]
    for p in WHO.values():
        for act in REGULATOR_ACTS + ENTERPRISE_ACTS:
            for region, enterprises in cases:
                if granted(perm.may_act_on_case, p, act, region, enterprises):
                    assert granted(perm.can_see_case, p, region, enterprises), (p, act, region)


# Granted by role alone: every regulator watches overseas leads and imports notices.
BY_ROLE_ALONE = ("see an overseas lead", "import overseas notices", "comment on a draft standard")


@pytest.mark.parametrize(
    "p",
    [
        Principal("无辖区", role="regulator", regions=()),
        Principal("无协会", role="association", association_id=None),
        Principal("访客", role="public"),
    ],
    ids=["regulator without regions", "association without id", "unknown role"],
)
def test_a_principal_scoped_to_nothing_is_granted_nothing(p: Principal) -> None:
    for _, what, check in TABLE:
        if what not in BY_ROLE_ALONE:
            assert not granted(check, p), what
