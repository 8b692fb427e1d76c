"""Reference data through the API, the way a client would create it."""

import inspect
from collections.abc import Awaitable

import httpx

from recall.rules.credit_code import credit_code_check_char


def credit_code(region: str, serial: int) -> str:
    body = f"91{region}MA{serial:07d}"
    return body + credit_code_check_char(body)


async def ok(response: httpx.Response | Awaitable[httpx.Response], status: int = 200) -> dict:
    if inspect.isawaitable(response):
        response = await response
    assert response.status_code == status, response.text
    return response.json()


async def seed(api: httpx.AsyncClient, *, producers: int = 2) -> dict:
    await ok(await api.post("/regions", json={"code": "330702", "name": "婺城区"}), 201)
    await ok(await api.post("/regions", json={"code": "330782", "name": "义乌市"}), 201)
    await ok(
        await api.post(
            "/industries",
            json={
                "code": "magnetic-toys",
                "name": "巴克球/磁力玩具",
                "name_en": "Magnetic toys",
                "keywords": ["magnet", "磁力"],
            },
        ),
        201,
    )
    enterprises = []
    for i in range(producers):
        enterprises.append(
            await ok(
                await api.post(
                    "/enterprises",
                    json={
                        "name": f"金华市第{i + 1}磁业有限公司",
                        "credit_code": credit_code("330702", i),
                        "region_code": "330702",
                        "industry_code": "magnetic-toys",
                        "employees": 200,
                    },
                ),
                201,
            )
        )
    report = await ok(
        await api.post(
            "/defect-reports",
            json={
                "source": "injury_report",
                "product": "巴克球 magnet balls",
                "description": "儿童误吞多颗强磁珠导致肠穿孔",
                "industry_code": "magnetic-toys",
                "region_code": "330702",
                "enterprise_ids": [e["id"] for e in enterprises],
                "hazard_category": "ingestion",
            },
        ),
        201,
    )
    return {"enterprises": enterprises, "report": report}
