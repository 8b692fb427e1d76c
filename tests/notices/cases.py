"""Recall cases taken through the API as far as a test needs: a notice exists only for a case with
a recall decision whose plan was accepted. Every note here names people, so that a test can tell
that none of it reaches the public."""

import httpx

from tests.api.helpers import credit_code, ok

ACTING_ADMIN = "王小明"  # the name on the token that does every act
PERSONAL = (  # what people typed, or who they are: never in a notice
    ACTING_ADMIN,
    "张小红",  # a complainant, named in a report's description and a decision's reason
    "李四",  # the enterprise's contact, in the plan's summary
    "13800138000",
    "同意王小明",  # an acceptance note
    "admin:",  # any actor
)
STAGES = ("assessed", "decided", "planned", "accepted")


async def report(
    api: httpx.AsyncClient,
    product: str,
    enterprise_ids: list[str],
    *,
    industry: str = "magnetic-toys",
    region: str = "330702",
    category: str | None = "ingestion",
) -> str:
    body = {
        "source": "consumer_complaint",
        "product": product,
        "description": "消费者张小红投诉：孩子误吞",
        "industry_code": industry,
        "region_code": region,
        "enterprise_ids": enterprise_ids,
    }
    if category:
        body["hazard_category"] = category
    return (await ok(api.post("/defect-reports", json=body), 201))["id"]


async def case_until(
    api: httpx.AsyncClient,
    report_id: str,
    stage: str,
    *,
    title: str | None = None,
    decision: str = "voluntary_recall",
    remedy: str = "refund",
    units: int = 1000,
) -> dict:
    """A case from the report, taken to `stage` (one of STAGES)."""
    body = {"defect_report_ids": [report_id]} | ({"title": title} if title else {})
    case = await ok(api.post("/cases", json=body), 201)
    url = f"/cases/{case['id']}"
    steps = [
        ("assessment", {"severity": 4, "probability": "gt_1_100"}),
        ("decision", {"decision": decision, "reason": "张小红投诉属实"}),
        (
            "plan",
            {"units_affected": units, "remedy": remedy, "summary": "联系人李四 13800138000 负责"},
        ),
        ("plan/acceptance", {"note": "同意王小明"}),
    ]
    for act, fields in steps[: STAGES.index(stage) + 1]:
        case = await ok(api.post(f"{url}/{act}", json=fields))
    return case


async def enterprise(
    api: httpx.AsyncClient, name: str, serial: int, region: str, industry: str
) -> str:
    body = {
        "name": name,
        "credit_code": credit_code(region, serial),
        "region_code": region,
        "industry_code": industry,
    }
    return (await ok(api.post("/enterprises", json=body), 201))["id"]
