"""/docs (Swagger UI) and /redoc with their scripts, styles and icon served by the app itself.

FastAPI's own pages load them from a CDN; on a closed network that leaves a blank page. The assets
come from the `fastapi-offline` package (swagger-ui-dist and redoc's standalone bundle)."""

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
STATIC_URL = "/static-docs"
DOCS_URL = "/docs"
REDOC_URL = "/redoc"


def install_api_docs(app: FastAPI) -> None:
    """Serve the two pages and their assets; create `app` with docs_url=None, redoc_url=None."""
    openapi_url = app.openapi_url or "/openapi.json"
    oauth2_redirect_url = app.swagger_ui_oauth2_redirect_url or f"{DOCS_URL}/oauth2-redirect"
    app.mount(STATIC_URL, StaticFiles(directory=ASSETS), name="static-docs")

    def root(request: Request) -> str:
        return request.scope.get("root_path", "")

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        static = f"{root(request)}{STATIC_URL}"
        return get_swagger_ui_html(
            openapi_url=f"{root(request)}{openapi_url}",
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=f"{root(request)}{oauth2_redirect_url}",
            swagger_js_url=f"{static}/swagger-ui-bundle.js",
            swagger_css_url=f"{static}/swagger-ui.css",
            swagger_favicon_url=f"{static}/favicon.png",
            swagger_ui_parameters=app.swagger_ui_parameters,
        )

    @app.get(oauth2_redirect_url, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        static = f"{root(request)}{STATIC_URL}"
        return get_redoc_html(
            openapi_url=f"{root(request)}{openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{static}/redoc.standalone.js",
            redoc_favicon_url=f"{static}/favicon.png",
            with_google_fonts=False,
        )
