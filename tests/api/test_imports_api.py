"""POST /imports/{cpsc|openfda}: the same counts as the command line, for admins and regulators."""

from pathlib import Path

from tests.api.helpers import credit_code, ok

DATA = Path(__file__).resolve().parent.parent / "data"


async def test_import_through_the_api_twice_and_refusals(api, client_as) -> None:
    await ok(await api.post("/regions", json={"code": "330702", "name": "婺城区"}), 201)
    await ok(
        await api.post(
            "/industries",
            json={"code": "magnetic-toys", "name": "巴克球", "keywords": ["magnet", "磁"]},
        ),
        201,
    )
    payload = (DATA / "cpsc-recalls-2025-10_2026-04.json").read_bytes()
    files = {"file": ("cpsc.json", payload, "application/json")}
    first = await ok(await api.post("/imports/cpsc", files=files))
    assert (first["imported"], first["skipped"], first["rejected"]) == (289, 0, 0)
    regulator = await client_as(role="regulator", regions=["330702"])
    second = await ok(await regulator.post("/imports/cpsc", files=files))
    assert (second["imported"], second["skipped"]) == (0, 289)

    magnets = await ok(
        await api.get(
            "/defect-reports",
            params={"industry": "magnetic-toys", "source": "overseas_recall", "limit": 500},
        )
    )
    assert len(magnets["items"]) == 18

    member = await ok(
        await api.post(
            "/enterprises",
            json={
                "name": "金华市磁业有限公司",
                "credit_code": credit_code("330702", 1),
                "region_code": "330702",
                "industry_code": "magnetic-toys",
            },
        ),
        201,
    )
    formed = await ok(
        await api.post(
            "/associations",
            json={"name": "磁力玩具协会", "founding_enterprise_ids": [member["id"]]},
        ),
        201,
    )
    association = await client_as(role="association", association_id=formed["id"])
    assert (await association.post("/imports/cpsc", files=files)).status_code == 403
    bad = await api.post("/imports/openfda", files={"file": ("f.json", b"{not json", "text/plain")})
    assert bad.status_code == 422 and bad.json()["field"] == "file"
    wrong = await api.post("/imports/ecfr", files=files)
    assert wrong.status_code == 422 and wrong.json()["field"] == "source"
