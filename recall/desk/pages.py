"""How a workbench page is answered: who is signed in (else to /login), the page rendered in the
person's language with a CSRF token for its forms, and the refusals every act can meet."""

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from recall.accounts.sessions import check_csrf, csrf_token, page_principal, set_csrf_cookie
from recall.auth.principal import Principal
from recall.dashboard.i18n import Labels
from recall.dashboard.pages import Query, Viewer, _render
from recall.desk.forms import Refusal
from recall.errors import Forbidden


class NotSignedIn(Exception):
    """The page needs a signed-in person: answered with a redirect to /login."""


async def person(request: Request) -> Principal:
    principal = await page_principal(request)
    if principal is None:
        raise NotSignedIn()
    return principal


def to_login(request: Request) -> RedirectResponse:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(here, safe='')}", status_code=303)


def render(
    request: Request, template: str, principal: Principal | None, status: int = 200, **context
) -> Response:
    q = Query.of(request)
    response = _render(
        request,
        template,
        q,
        Viewer(principal),
        status,
        csrf_token=csrf_token(request),
        **context,
    )
    set_csrf_cookie(request, response)
    return response


def labels(request: Request) -> Labels:
    return Labels(Query.of(request).lang)


def after_act(request: Request, path: str) -> RedirectResponse:
    """After an act, the object's page (303: the browser GETs it; a reload sends nothing)."""
    return RedirectResponse(Query.of(request).lang_only(path), status_code=303)


async def checked_form(request: Request):
    """The posted form, once its CSRF token is good (else Forbidden, and nothing is done)."""
    form = await request.form()
    token = form.get("csrf_token")
    check_csrf(request, token if isinstance(token, str) else None)
    return form


def forbidden_page(request: Request, principal: Principal | None, error: Forbidden) -> Response:
    refusal = Refusal(error.detail, error.field, 403)
    return render(request, "desk/forbidden.html", principal, 403, refusal=refusal)
