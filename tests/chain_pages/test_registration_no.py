"""An association's registration number is a social organisation's unified social credit code
(GB 32100-2015: 5 civil affairs, 1 social organisation, six digits of region, nine of
organisation code, a check character): the pure rule, and the API refusing a malformed one
with 422 naming registration_no (a skipped step stays a 409)."""

import pytest

from recall.rules import RuleViolation
from recall.rules.registration_no import check_registration_no, registration_no_error
from tests.api.helpers import credit_code, ok
from tests.chain_pages.world import registration_no

GOOD = registration_no(1)  # 51330702MJ0000001 + its check character
WRONG_CHECK = GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1")


def test_a_social_organisations_code_is_well_formed() -> None:
    assert registration_no_error(GOOD) is None
    assert check_registration_no("association a", f"  {GOOD.lower()} ") == GOOD


@pytest.mark.parametrize(
    ("number", "why"),
    [
        (WRONG_CHECK, "check character should be"),
        (GOOD[:17], "must be 18 characters"),
        (GOOD + "0", "must be 18 characters"),
        (GOOD[:5] + "I" + GOOD[6:], "is not allowed"),
        ("51ABCDEFMJ0000001X", "positions 3-8 must be digits"),
        (registration_no(1, prefix="91"), "starts with '91'"),  # an enterprise's code
        (registration_no(1, prefix="52"), "starts with '52'"),  # a private non-enterprise unit
        ("登记证号 123", "must be 18 characters"),
    ],
)
def test_a_malformed_number_is_refused_naming_the_field(number: str, why: str) -> None:
    assert why in (registration_no_error(number) or "")
    with pytest.raises(RuleViolation) as refused:
        check_registration_no("association asn_1", number)
    v = refused.value
    assert (v.kind, v.code, v.field) == ("invalid_field", "invalid_field", "registration_no")
    assert "association asn_1 needs registration_no" in v.message and why in v.message


@pytest.mark.slow
async def test_the_api_refuses_a_malformed_registration_number(api) -> None:
    await ok(api.post("/regions", json={"code": "330702", "name": "婺城区"}), 201)
    await ok(api.post("/industries", json={"code": "magnetic-toys", "name": "磁力玩具"}), 201)
    enterprise = await ok(
        api.post(
            "/enterprises",
            json={"name": "金华市第1磁业有限公司", "credit_code": credit_code("330702", 1),
                  "region_code": "330702", "industry_code": "magnetic-toys"},
        ),
        201,
    )  # fmt: skip
    association = await ok(
        api.post(
            "/associations",
            json={"name": "金华市磁力玩具行业协会", "founding_enterprise_ids": [enterprise["id"]]},
        ),
        201,
    )
    url = f"/associations/{association['id']}/transitions"
    # a skipped step is the workflow's 409, whatever the number
    skipped = await api.post(url, json={"to": "registered", "registration_no": "bad"})
    assert skipped.status_code == 409, skipped.text
    for step in ("preparing", "charter_adopted"):
        await ok(api.post(url, json={"to": step}))
    for bad in (WRONG_CHECK, GOOD[:17], registration_no(1, prefix="91")):
        refused = await api.post(url, json={"to": "registered", "registration_no": bad})
        assert refused.status_code == 422, refused.text
        body = refused.json()
        assert (body["error"], body["field"]) == ("invalid_field", "registration_no")
        assert "needs registration_no" in body["detail"]
    assert (await ok(api.get(f"/associations/{association['id']}")))["status"] == "charter_adopted"
    registered = await ok(
        api.post(url, json={"to": "registered", "registration_no": f" {GOOD.lower()} "})
    )
    assert registered["status"] == "registered" and registered["registration_no"] == GOOD
