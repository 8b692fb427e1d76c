"""The dashboard as HTML at /dashboard: the page, case and programme pages, CSV export.

Pages read the session cookie of a person signed in at /login (recall.accounts.sessions); the
JSON API under /api/v1 never does (it takes the Authorization header alone), so a cookie cannot
make a cross-site request act on the API. A program may read these pages with the header too.
Pages use no JavaScript (the Content-Security-Policy allows none) and no resource from outside
the app."""

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from recall.accounts.sessions import (
    forget_ended_session,
    login_url,
    page_principal,
    session_ended,
    signed_in,
)
from recall.auth.principal import Principal
from recall.auth.tokens import authenticate
from recall.common.responses import AWAY, JSON_ERROR, TOO_LARGE, errors
from recall.dashboard import figures
from recall.dashboard.details import case_page, programme_page
from recall.dashboard.filters import DashboardFilter, parse_filter
from recall.dashboard.i18n import Labels, lang_of
from recall.dashboard.refusals import reason
from recall.dashboard.views import Public, names, number, overview, public_part
from recall.deps import SessionDep
from recall.errors import InvalidField, NotFound, Unauthorized

HERE = Path(__file__).parent
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)

router = APIRouter(tags=["dashboard (pages)"])
templates = Jinja2Templates(
    env=Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
)
templates.env.globals["number"] = number
templates.env.globals["reason"] = reason  # a refusal's reason in the page's language
templates.env.globals["signed_in"] = signed_in  # base.html's nav: who, and their CSRF token
templates.env.globals["login_url"] = login_url


@dataclass(frozen=True)
class Query:
    """The page's state in its URL: what a shared link carries."""

    lang: str = "zh"
    region: str = ""
    industry: str = ""
    from_: str = ""
    to: str = ""

    @classmethod
    def of(cls, request: Request) -> "Query":
        p = request.query_params
        return cls(
            lang_of(p.get("lang")),
            p.get("region", "").strip(),
            p.get("industry", "").strip(),
            p.get("from", "").strip(),
            p.get("to", "").strip(),
        )

    def url(self, path: str, **changes: str) -> str:
        values = {
            "region": self.region,
            "industry": self.industry,
            "from": self.from_,
            "to": self.to,
            "lang": self.lang,
            **changes,
        }
        if values["lang"] == "zh":
            values["lang"] = ""
        params = urlencode({k: v for k, v in values.items() if v})
        return f"{path}?{params}" if params else path

    def lang_only(self, path: str) -> str:
        return path if self.lang == "zh" else f"{path}?lang={self.lang}"

    def filter(self) -> DashboardFilter:
        return parse_filter(self.region, self.industry, self.from_, self.to)


@dataclass(frozen=True)
class Viewer:
    principal: Principal | None = None
    ended: bool = False  # the session cookie no longer signs anyone in


async def viewer_of(request: Request, session: SessionDep) -> Viewer:
    """Who is looking: a bearer token in the Authorization header (programs), else the person
    signed in with the session cookie."""
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    if token is None:
        principal = await page_principal(request)
        return Viewer(principal, ended=principal is None and session_ended(request))
    try:
        principal = await authenticate(session, token)
    except Unauthorized:
        return Viewer()
    finally:
        await session.rollback()
    request.state.principal = principal
    return Viewer(principal)


def _render(
    request: Request, name: str, q: Query, viewer: Viewer, status: int = 200, **context
) -> Response:
    t = Labels(q.lang)
    response = templates.TemplateResponse(
        request,
        name,
        {
            "t": t,
            "q": q,
            "viewer": viewer,
            "html_lang": "zh-CN" if q.lang == "zh" else "en",
            "role": t.code("role", viewer.principal.role) if viewer.principal else "",
            **context,
        },
        status_code=status,
    )
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Vary"] = "Cookie, Authorization"
    if viewer.principal is not None:
        response.headers["Cache-Control"] = "private, no-store"
    forget_ended_session(request, response)
    return response


@router.get("/", include_in_schema=False)
async def root() -> RedirectResponse:
    return RedirectResponse("/dashboard", status_code=307)


@router.get(  # in the contract: in OpenAPI too
    "/dashboard",
    response_class=HTMLResponse,
    responses={
        422: {
            "content": {"text/html": {}, **JSON_ERROR},
            "description": "the page, naming the invalid filter (JSON for a control character "
            "in a query parameter, refused before the page)",
        },
        **errors({413: TOO_LARGE, 503: AWAY}),
    },
)
async def dashboard(request: Request, session: SessionDep) -> Response:
    """The dashboard page in HTML (zh or en), public figures for all; a signed-in viewer also
    sees its own and overdue cases and programmes. An invalid filter is 422. The public figures
    are counted at most every few seconds for all readers; the page says when."""
    q, viewer = Query.of(request), await viewer_of(request, session)
    t = Labels(q.lang)
    try:
        f = q.filter()
    except InvalidField as error:
        error_names = (await figures.region_and_industry_names(request)).value
        detail = t("filter.invalid", detail=error.detail)
        return _render(
            request, "dashboard.html", q, viewer, 422, names=error_names, error=detail, data=None
        )
    public = await figures.public(request, f)
    if viewer.principal is None and not viewer.ended:
        return _public_page(request, q, viewer, public)
    data = await overview(session, public, f, viewer.principal, t)
    response = _render(
        request, "dashboard.html", q, viewer, names=public.names, data=data, error=None
    )
    response.headers["Age"] = figures.freshness_headers(request, *public.sources)["Age"]
    return response


def _public_page(request: Request, q: Query, viewer: Viewer, public: Public) -> Response:
    """The page as anyone sees it, rendered once per count of its figures and kept: its link
    to sign in comes back to this URL, so it is kept per query string."""
    cache = figures.figure_cache(request)
    key = ("page", request.url.query)
    body = cache.page(key, public.sources)
    if body is None:
        data = public_part(public, Labels(q.lang))
        response = _render(
            request, "dashboard.html", q, viewer, names=public.names, data=data, error=None
        )
        cache.keep_page(key, public.sources, response.body)
    else:
        response = HTMLResponse(
            body, headers={"Content-Security-Policy": CSP, "Vary": "Cookie, Authorization"}
        )
    response.headers.update(figures.freshness_headers(request, *public.sources))
    return response


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A text cell that a spreadsheet would read as a formula gets a leading `'` (OWASP CSV
    injection); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@router.get(
    "/dashboard/export/{table}.csv",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {}}, "description": "UTF-8 with BOM"},
        **errors(
            {
                404: "no such table (signed-in tables need a sign-in)",
                413: TOO_LARGE,
                422: "a filter is invalid; `field` names it",
                503: AWAY,
            }
        ),
    },
)
async def export_csv(table: str, request: Request, session: SessionDep) -> Response:
    """Any table of the dashboard page as CSV, with the page's filters (region, industry, from,
    to, lang): the same figures as the page."""
    q, viewer = Query.of(request), await viewer_of(request, session)
    f = q.filter()
    data = await overview(
        session, await figures.public(request, f), f, viewer.principal, Labels(q.lang)
    )
    if table not in data["tables"]:
        raise NotFound(f"no dashboard table {table}")
    chosen = data["tables"][table]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(c) for c in chosen.columns])
    writer.writerows([csv_cell(c) for c in row] for row in chosen.rows)
    headers = {
        "Content-Disposition": f'attachment; filename="dashboard-{table}.csv"',
        "Vary": "Cookie, Authorization",
    }
    if viewer.principal is not None:
        headers["Cache-Control"] = "private, no-store"
    return Response(
        ("\ufeff" + out.getvalue()).encode("utf-8"),
        headers=headers,
        media_type="text/csv; charset=utf-8",
    )


@router.get("/dashboard/cases/{case_id}", include_in_schema=False)
async def case_detail(case_id: str, request: Request, session: SessionDep) -> Response:
    q, viewer = Query.of(request), await viewer_of(request, session)
    t = Labels(q.lang)
    n = await names(session)
    try:
        page = await case_page(session, viewer.principal, case_id, n, t)
    except NotFound:
        return _render(request, "not_found.html", q, viewer, 404)
    return _render(request, "case.html", q, viewer, **page)


@router.get("/dashboard/programmes/{programme_id}", include_in_schema=False)
async def programme_detail(programme_id: str, request: Request, session: SessionDep) -> Response:
    q, viewer = Query.of(request), await viewer_of(request, session)
    t = Labels(q.lang)
    n = await names(session)
    try:
        page = await programme_page(session, viewer.principal, programme_id, n, t)
    except NotFound:
        return _render(request, "not_found.html", q, viewer, 404)
    return _render(request, "programme.html", q, viewer, **page)


@router.get("/dashboard/static/{name}", include_in_schema=False)
async def static(name: str) -> FileResponse:
    path = HERE / "static" / name
    if "/" in name or name.startswith(".") or not path.is_file():
        raise NotFound(f"no static file {name}")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})
