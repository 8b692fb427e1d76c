"""Smaller fixes, each through HTTP on the real stack (or the functions `recall up` runs): an
enterprise self-reports only on itself in its own region; the last live admin token cannot be
revoked; CSV cells cannot be formulas; the OpenAPI document says 409 and what /metrics is; the
data directory is its owner's alone."""

import csv
import io
import os
import stat
from pathlib import Path

import httpx

from recall.auth.local import ensure_admin_token
from recall.config import Settings
from recall.dashboard.pages import csv_cell
from recall.db import create_engine
from recall.runtime import free_port, private_data_dir, start_dev_server, upgrade_database
from tests.api.helpers import credit_code, ok, seed


async def test_an_enterprise_self_reports_only_itself_in_its_own_region(api, client_as) -> None:
    data = await seed(api)
    mine, other = (e["id"] for e in data["enterprises"])  # both of 330702
    enterprise = await client_as(role="enterprise", enterprise_id=mine)
    report = {
        "source": "enterprise_self_report",
        "product": "磁力片",
        "description": "自查发现外壳开裂",
        "industry_code": "magnetic-toys",
        "region_code": "330702",
    }
    elsewhere = await enterprise.post("/defect-reports", json={**report, "region_code": "330782"})
    assert elsewhere.status_code == 403, elsewhere.text
    assert elsewhere.json()["field"] == "region_code" and "330702" in elsewhere.json()["detail"]
    competitor = await enterprise.post(
        "/defect-reports", json={**report, "enterprise_ids": [mine, other]}
    )
    assert competitor.status_code == 403, competitor.text
    assert competitor.json()["field"] == "enterprise_ids" and other in competitor.json()["detail"]
    only = await enterprise.post("/defect-reports", json={**report, "enterprise_ids": [other]})
    assert only.status_code == 403 and only.json()["field"] == "enterprise_ids"

    filed = await ok(enterprise.post("/defect-reports", json=report), 201)
    assert filed["enterprise_ids"] == [mine] and filed["region_code"] == "330702"
    named = await ok(
        enterprise.post("/defect-reports", json={**report, "enterprise_ids": [mine]}), 201
    )
    assert named["enterprise_ids"] == [mine]
    # a regulator still files about any enterprise of its region
    regulator = await client_as(role="regulator", regions=["330702"])
    await ok(
        regulator.post(
            "/defect-reports",
            json={**report, "source": "consumer_complaint", "enterprise_ids": [mine, other]},
        ),
        201,
    )


async def test_the_last_live_admin_token_is_not_revoked(api, client_as, db) -> None:
    me = next(t for t in (await ok(api.get("/tokens")))["items"] if t["name"] == "test-admin")
    refused = await api.post(f"/tokens/{me['id']}/revocation")
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == "last_admin_token"
    assert "no live admin token" in refused.json()["detail"]
    assert (await api.get("/tokens")).status_code == 200  # still live

    second = await ok(api.post("/tokens", json={"role": "admin", "name": "second"}), 201)
    await ok(api.post(f"/tokens/{me['id']}/revocation"))
    assert (await api.get("/tokens")).status_code == 401
    admin = await client_as(role="admin", name="third")
    await ok(admin.post(f"/tokens/{second['id']}/revocation"))
    third = next(t for t in (await ok(admin.get("/tokens")))["items"] if t["name"] == "third")
    refused = await admin.post(f"/tokens/{third['id']}/revocation")
    assert refused.status_code == 409 and refused.json()["error"] == "last_admin_token"
    # with another live admin, either may go; other roles always may
    fourth = await ok(admin.post("/tokens", json={"role": "admin", "name": "fourth"}), 201)
    await ok(admin.post(f"/tokens/{fourth['id']}/revocation"))
    await ok(api.post("/regions", json={"code": "330702", "name": "婺城区"}), 401)
    await ok(admin.post("/regions", json={"code": "330702", "name": "婺城区"}), 201)
    regulator = await ok(
        admin.post("/tokens", json={"role": "regulator", "name": "r", "regions": ["330702"]}),
        201,
    )
    await ok(admin.post(f"/tokens/{regulator['id']}/revocation"))


async def test_csv_cells_are_never_formulas(api, stack) -> None:
    await ok(api.post("/regions", json={"code": "330702", "name": "-2+3 区"}), 201)
    await ok(api.post("/industries", json={"code": "toys", "name": "+1 玩具"}), 201)
    await ok(
        api.post(
            "/enterprises",
            json={
                "name": "@SUM(A1) 厂",
                "credit_code": credit_code("330702", 1),
                "region_code": "330702",
                "industry_code": "toys",
            },
        ),
        201,
    )
    report = await ok(
        api.post(
            "/defect-reports",
            json={
                "source": "media",
                "product": "x",
                "description": "x",
                "industry_code": "toys",
                "region_code": "330702",
            },
        ),
        201,
    )
    title = '=HYPERLINK("http://evil.example","click")'
    await ok(api.post("/cases", json={"defect_report_ids": [report["id"]], "title": title}), 201)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=stack["app"]),
        base_url="http://test",
        headers={"Authorization": api.headers["authorization"]},
    ) as web:
        response = await web.get("/dashboard/export/my_cases.csv")
    assert response.status_code == 200, response.text
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert "'" + title in cells and "'-2+3 区" in cells and "'+1 玩具" in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    for risky in ("=1", "+1", "-1", "@x", "\tx", "\rx"):
        assert csv_cell(risky) == "'" + risky
    assert csv_cell("婺城区") == "婺城区" and csv_cell(-3) == -3 and csv_cell(0.5) == 0.5


async def test_openapi_says_409_for_reference_data_and_what_metrics_is(api, stack) -> None:
    document = await ok(api.get("http://test/openapi.json"))
    for path in ("/api/v1/regions", "/api/v1/industries", "/api/v1/enterprises"):
        responses = document["paths"][path]["post"]["responses"]
        assert {"201", "403", "409", "422"} <= set(responses), path
    assert (
        "credit_code"
        in document["paths"]["/api/v1/enterprises"]["post"]["responses"]["409"]["description"]
    )
    metrics = document["paths"]["/metrics"]["get"]["responses"]
    assert list(metrics["200"]["content"]) == ["text/plain"]
    assert "Prometheus" in metrics["200"]["description"]
    assert {"401", "403"} <= set(metrics)
    assert "application/json" in metrics["403"]["content"]
    for path, status in (
        ("/api/v1/tokens", "409"),
        ("/api/v1/tokens/{token_id}/revocation", "409"),
    ):
        assert status in document["paths"][path]["post"]["responses"], path
    # and it is what /metrics answers
    scraped = await api.get("http://test/metrics")
    assert scraped.status_code == 200 and scraped.headers["content-type"].startswith("text/plain")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=stack["app"])) as anonymous:
        assert (await anonymous.get("http://test/metrics")).status_code == 401


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_data_directory_is_the_owners_alone(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    (tmp_path / "old").mkdir(mode=0o755)
    (tmp_path / "old" / "admin-token").write_text("left by an older run\n")
    os.chmod(tmp_path / "old" / "admin-token", 0o644)
    umask = os.umask(0o022)
    try:
        private_data_dir(tmp_path / "old")  # an older data directory is closed up
        assert _mode(tmp_path / "old") == 0o700
        assert _mode(tmp_path / "old" / "admin-token") == 0o600

        private_data_dir(data_dir)
        settings = Settings(data_dir=data_dir, database_url=None)
        await upgrade_database(settings)
        await ensure_admin_token(settings)
        dev = await start_dev_server(data_dir, port=free_port(), ui_port=free_port())
        dev.stop()
        engine = create_engine(settings.sqlalchemy_url)  # holds -wal and -shm open
        try:
            async with engine.begin() as conn:
                await conn.exec_driver_sql("CREATE TABLE probe (x INTEGER)")
            async with engine.connect() as conn:
                await conn.exec_driver_sql("SELECT count(*) FROM probe")
                names = {p.name for p in data_dir.iterdir()}
                assert {"recall.db", "recall.db-wal", "recall.db-shm", "temporal.db"} <= names
                assert {"admin-token"} <= names
                assert _mode(data_dir) == 0o700
                modes = {p.name: oct(_mode(p)) for p in data_dir.iterdir() if p.is_file()}
                assert all(_mode(p) & 0o077 == 0 for p in data_dir.iterdir()), modes
                assert _mode(data_dir / "admin-token") == 0o600
                assert _mode(data_dir / "recall.db") == 0o600
        finally:
            await engine.dispose()
    finally:
        os.umask(umask)
