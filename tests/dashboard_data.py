"""Demo-like data for the dashboard, through the HTTP API only: the demo's cases (recall.demo)
and the chain the pilot reported after them: 3 associations formed, 2 industry standards and 1
"Zhejiang Made" standard published, 3 enterprises certified to the 品字标 brand."""

import asyncio

import httpx

from recall.demo import MAGNET, call, load_demo

ASSOCIATIONS = ("金华市磁力玩具行业协会", "义乌市磁性益智玩具行业协会", "金东区磁性材料应用协会")
STANDARDS = (
    ("磁力玩具安全技术规范", "industry"),
    ("磁力片积木玩具 磁体固定要求", "industry"),
    ("巴克球类磁性益智玩具", "zhejiang_made"),
)
EXPERTS = ("浙江省玩具质检中心专家", "金华市标准化研究院专家", "消费者权益保护委员会代表")


async def wait_for(http: httpx.AsyncClient, path: str, field: str, value: str) -> dict:
    """Read until the workflow has moved the thing on by itself (a signal, a timer)."""
    async with asyncio.timeout(20):
        while (found := await call(http, "GET", path))[field] != value:
            await asyncio.sleep(0.1)
    return found


async def _association(http: httpx.AsyncClient, programme_id: str, name: str, n: int,
                       founders: list[str]) -> str:
    body = {"name": name, "programme_id": programme_id, "founding_enterprise_ids": founders}
    association = (await call(http, "POST", "/associations", body, 201))["id"]
    for to in ("preparing", "charter_adopted", "registered"):
        body = {"to": to, "registration_no": f"51330700MJ{n:07d}X" if to == "registered" else None}
        await call(http, "POST", f"/associations/{association}/transitions", body)
    return association


async def _standard(http: httpx.AsyncClient, programme_id: str, association_id: str, title: str,
                    kind: str, n: int) -> None:
    body = {"programme_id": programme_id, "title": title, "kind": kind,
            "drafting_association_id": association_id, "drafters": ["金华市磁悦磁业有限公司"]}
    standard = (await call(http, "POST", "/standards", body, 201))["id"]
    path = f"/standards/{standard}"
    for to in ("10.99", "20.00"):
        await call(http, "POST", f"{path}/transitions", {"to": to})
    await call(http, "POST", f"{path}/transitions", {"to": "40.20", "comment_period_days": 0})
    await wait_for(http, path, "stage_code", "40.60")
    await call(http, "POST", f"{path}/transitions", {"to": "50.20"})
    votes = [{"voter": voter, "vote": "approve"} for voter in EXPERTS]
    await call(http, "POST", f"{path}/ballot", {"votes": votes})
    await call(http, "POST", f"{path}/transitions", {"to": "50.60"})
    await call(http, "POST", f"{path}/transitions", {"to": "60.60", "note": f"T/ZJMT 00{n}-2026"})


async def _cultivation(http: httpx.AsyncClient, programme_id: str, enterprise_id: str,
                       n: int) -> None:
    body = {"programme_id": programme_id, "enterprise_id": enterprise_id}
    cultivation = (await call(http, "POST", "/brand-cultivations", body, 201))["id"]
    for to in ("diagnosed", "improving", "certification_applied", "certified"):
        body = {"to": to, "certificate_no": f"CZJM-2026-{n:04d}" if to == "certified" else None}
        await call(http, "POST", f"/brand-cultivations/{cultivation}/transitions", body)


async def load_dashboard_demo(http: httpx.AsyncClient) -> dict:
    """The demo, then the magnet-ball programme walked through the chain; its ids."""
    await load_demo(http)
    pilot = (await call(http, "GET", f"/cases?industry={MAGNET}&stage=closed"))["items"][0]
    body = {"industry_code": MAGNET, "case_ids": [pilot["id"]], "title": "巴克球产业质量提升"}
    programme = (await call(http, "POST", "/programmes", body, 201))["id"]
    producers = [e["id"] for e in
                 (await call(http, "GET", f"/enterprises?industry={MAGNET}&limit=50"))["items"]]
    associations = [await _association(http, programme, name, i, producers[i * 4:i * 4 + 4])
                    for i, name in enumerate(ASSOCIATIONS)]
    for i, (title, kind) in enumerate(STANDARDS):
        await _standard(http, programme, associations[0], title, kind, i + 1)
    for i, enterprise in enumerate(producers[:3]):
        await _cultivation(http, programme, enterprise, i + 1)
    await wait_for(http, f"/programmes/{programme}", "stage", "completed")
    # two programmes further back in the chain, so the funnel narrows
    for industry, stage, title, reaches in (
        ("vacuum-flasks", "recall_planned", "保温杯(壶)质量提升", "hazard_elimination"),
        ("auto-moto-parts", "verified", "头盔质量提升", "association_formation"),
    ):
        case = (await call(http, "GET", f"/cases?industry={industry}&stage={stage}"))["items"][0]
        body = {"industry_code": industry, "case_ids": [case["id"]], "title": title}
        started = (await call(http, "POST", "/programmes", body, 201))["id"]
        await wait_for(http, f"/programmes/{started}", "stage", reaches)
    return {"pilot_case": pilot, "programme": programme}
