"""The pilot's published figures, produced by driving the API with the same events:
76 hazards eliminated, 3 associations formed, 2 industry standards and 1 "Zhejiang Made"
standard, 3 brand enterprises certified; each programme walks the whole chain over HTTP."""

import httpx

from recall.rules.credit_code import credit_code_check_char
from tests.api.eventually import eventually
from tests.api.helpers import credit_code, ok


def _registration_no(n: int) -> str:
    """A social organisation's unified social credit code (51...), with its check character."""
    body = f"51330700MJ{n:07d}"
    return body + credit_code_check_char(body)


INDUSTRIES = (  # code, name, hazards, the programme's standard kind
    ("magnetic-toys", "巴克球/磁力玩具", 40, "industry"),
    ("vacuum-flasks", "保温杯(壶)", 20, "industry"),
    ("electric-garden-tools", "电动园林工具", 16, "zhejiang_made"),
)


async def _programme_for(
    api: httpx.AsyncClient, n: int, code: str, name: str, hazards: int
) -> tuple[dict, list[str]]:
    await ok(api.post("/industries", json={"code": code, "name": name}), 201)
    enterprises = [
        (
            await ok(
                api.post(
                    "/enterprises",
                    json={
                        "name": f"{name}企业{i}",
                        "credit_code": credit_code("330702", n * 100 + i),
                        "region_code": "330702",
                        "industry_code": code,
                        "employees": 200,
                    },
                ),
                201,
            )
        )["id"]
        for i in range(4)
    ]
    report = await ok(
        api.post(
            "/defect-reports",
            json={
                "source": "sampling_inspection",
                "product": name,
                "description": "抽检不合格",
                "industry_code": code,
                "region_code": "330702",
                "enterprise_ids": enterprises,
            },
        ),
        201,
    )
    case = await ok(api.post("/cases", json={"defect_report_ids": [report["id"]]}), 201)
    url = f"/cases/{case['id']}"
    for i in range(hazards):
        hazard = await ok(
            api.post(
                f"{url}/hazards",
                json={
                    "enterprise_id": enterprises[i % 4],
                    "category": "ingestion",
                    "description": f"隐患{i}",
                },
            ),
            201,
        )
        await ok(
            api.post(f"{url}/hazards/{hazard['id']}/elimination", json={"evidence": "整改到位"})
        )
    programme = await ok(
        api.post(
            "/programmes",
            json={"industry_code": code, "case_ids": [case["id"]], "title": f"{name}产业提升"},
        ),
        201,
    )
    return programme, enterprises


async def _register_association(
    api: httpx.AsyncClient, programme: dict, enterprises: list[str], n: int
) -> dict:
    association = await ok(
        api.post(
            "/associations",
            json={
                "name": f"行业协会{n}",
                "programme_id": programme["id"],
                "founding_enterprise_ids": enterprises,
            },
        ),
        201,
    )
    for step in ("preparing", "charter_adopted"):
        await ok(api.post(f"/associations/{association['id']}/transitions", json={"to": step}))
    return await ok(
        api.post(
            f"/associations/{association['id']}/transitions",
            json={"to": "registered", "registration_no": _registration_no(n)},
        )
    )


async def _publish_standard(
    api: httpx.AsyncClient, programme: dict, association: dict, kind: str
) -> dict:
    standard = await ok(
        api.post(
            "/standards",
            json={
                "programme_id": programme["id"],
                "title": f"{programme['title']}标准",
                "kind": kind,
                "drafting_association_id": association["id"],
                "drafters": ["起草人甲"],
            },
        ),
        201,
    )
    url = f"/standards/{standard['id']}"
    for code in ("10.99", "20.00"):
        await ok(api.post(f"{url}/transitions", json={"to": code}))
    closed = await ok(
        api.post(f"{url}/transitions", json={"to": "40.20", "comment_period_days": 0})
    )
    assert closed["stage_code"] == "40.60"  # a period of 0 days closes at once
    await ok(api.post(f"{url}/transitions", json={"to": "50.20"}))
    ballot = await ok(
        api.post(
            f"{url}/ballot",
            json={
                "votes": [
                    {"voter": "专家A", "vote": "approve"},
                    {"voter": "专家B", "vote": "approve"},
                    {"voter": "专家C", "vote": "approve"},
                    {"voter": "专家D", "vote": "disapprove"},
                    {"voter": "专家E", "vote": "abstain"},
                ]
            },
        )
    )
    assert ballot == {"approve": 3, "disapprove": 1, "abstain": 1, "passed": True}
    await ok(api.post(f"{url}/transitions", json={"to": "50.60"}))
    return await ok(api.post(f"{url}/transitions", json={"to": "60.60"}))


async def _certify(api: httpx.AsyncClient, programme: dict, enterprise: str, n: int) -> None:
    cultivation = await ok(
        api.post(
            "/brand-cultivations",
            json={"programme_id": programme["id"], "enterprise_id": enterprise},
        ),
        201,
    )
    url = f"/brand-cultivations/{cultivation['id']}/transitions"
    for step in ("diagnosed", "improving", "certification_applied"):
        await ok(api.post(url, json={"to": step}))
    await ok(api.post(url, json={"to": "certified", "certificate_no": f"品字标-2026-{n:04d}"}))


async def test_the_pilot_figures_from_the_same_events(api: httpx.AsyncClient) -> None:
    await ok(api.post("/regions", json={"code": "330702", "name": "婺城区"}), 201)
    programmes = []
    for n, (code, name, hazards, kind) in enumerate(INDUSTRIES, 1):
        programme, enterprises = await _programme_for(api, n, code, name, hazards)
        programme = await eventually(
            lambda p=programme: ok(api.get(f"/programmes/{p['id']}")),
            lambda p: p["stage"] == "association_formation",
        )
        association = await _register_association(api, programme, enterprises, n)
        await _publish_standard(api, programme, association, kind)
        await _certify(api, programme, enterprises[0], n)
        programmes.append(programme)

    for programme in programmes:
        done = await eventually(
            lambda p=programme: ok(api.get(f"/programmes/{p['id']}")),
            lambda p: p["stage"] == "completed",
        )
        assert [s["status"] for s in done["stages"]] == ["complete"] * 4
        assert len(done["association_ids"]) == len(done["standard_ids"]) == 1
        assert len(done["cultivation_ids"]) == 1

    summary = await ok(api.get("/dashboard/summary"))
    assert summary["hazards_eliminated"] == 76
    assert summary["hazards_open"] == 0
    assert summary["associations_formed"] == 3
    assert summary["standards_published"] == {
        "group": 0,
        "industry": 2,
        "zhejiang_made": 1,
        "local": 0,
        "national": 0,
    }
    assert summary["brand_enterprises_certified"] == 3
    assert summary["programmes_by_stage"]["completed"] == 3
    by_industry = await ok(api.get("/dashboard/summary", params={"industry": "vacuum-flasks"}))
    assert by_industry["hazards_eliminated"] == 20
    assert by_industry["standards_published"]["industry"] == 1
    assert by_industry["associations_formed"] == 1
