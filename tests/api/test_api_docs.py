"""/docs and /redoc work on a closed network: every script, style and icon they load comes from
the app itself, never from a CDN."""

import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from recall.config import Settings
from recall.main import create_app

BASE = "http://recall.test"
REFERENCE = re.compile(r"""(?:src|href|spec-url|url)\s*[=:]\s*["']([^"']+)["']""", re.IGNORECASE)


@pytest.fixture
async def web(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The app, never started: its pages and their assets need no database and no Temporal."""
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite+aiosqlite:///{tmp_path}/r.db")
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as c:
        yield c


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_pages_load_only_the_apps_own_assets(web: httpx.AsyncClient, page: str) -> None:
    response = await web.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    outside = [u for u in re.findall(r"""https?://[^\s"'<>)]+""", html) if not u.startswith(BASE)]
    assert outside == [], f"{page} references {outside}"

    references = {urljoin(f"{BASE}{page}", ref) for ref in REFERENCE.findall(html)}
    assets = {u for u in references if not u.endswith("/openapi.json")}
    assert len(assets) >= (3 if page == "/docs" else 2), assets  # js (+ css) and the icon
    for url in sorted(assets):
        assert urlsplit(url).netloc == urlsplit(BASE).netloc, url
        asset = await web.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 1000, url
    assert {urljoin(f"{BASE}{page}", "/openapi.json")} <= references


async def test_docs_routes_stay_out_of_the_openapi_document(web: httpx.AsyncClient) -> None:
    paths = (await web.get("/openapi.json")).json()["paths"]
    assert not [p for p in paths if p.startswith(("/docs", "/redoc", "/static-docs"))]
