"""Who is signed in on a page, and the CSRF token of its forms.

The session cookie holds a random secret; the database keeps only its SHA-256 (the row's id), so
a copy of the table signs nobody in. Only pages read this cookie: the JSON API under /api/v1
takes the Authorization header alone, so the cookie can never make a request act on the API.

Forms of a signed-in person carry the session's CSRF token. Anonymous forms (signing in, a
public comment) use a double-submit cookie: `recall_csrf` must equal the form's field."""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from recall.accounts.models import Account, WebSession
from recall.auth.principal import Principal
from recall.common.types import utcnow
from recall.errors import Forbidden

COOKIE = "recall_session"
CSRF_COOKIE = "recall_csrf"
CSRF_REFUSED = (
    "the form is out of date or was not sent from this site's page (missing or wrong "
    "csrf_token): load the page again and send it once more"
)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")  # what secrets.token_urlsafe(32) makes


def session_id(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def principal_of(account: Account) -> Principal:
    return Principal(
        name=account.username,
        role=account.role,
        regions=tuple(account.regions or ()),
        enterprise_id=account.enterprise_id,
        association_id=account.association_id,
    )


@dataclass(frozen=True)
class SignedIn:
    """What the page furniture shows of the person signed in (base.html's nav)."""

    username: str
    name: str
    role: str
    csrf_token: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def usable(web_session: WebSession, account: Account, now: datetime) -> bool:
    """A session ends when it expires, when its account is disabled and when the password
    changes (those two delete the rows too; this holds even if a row was left behind)."""
    return (
        web_session.expires_at > now
        and account.disabled_at is None
        and web_session.created_at >= account.password_changed_at
    )


async def page_principal(request: Request) -> Principal | None:
    """The person signed in with this request's session cookie, or None. Sets
    request.state.principal (the audit trail's actor), .web_session and .signed_in."""
    state = request.state
    if getattr(state, "page_principal_read", False):  # once per request
        return getattr(state, "page_principal", None)
    state.page_principal_read = True
    state.page_principal = None
    secret = request.cookies.get(COOKIE)
    if not secret:
        return None
    state.session_ended = True  # until the session is found good
    if not _TOKEN.fullmatch(secret):
        return None
    now = utcnow()
    async with request.app.state.sessionmaker() as session:
        found = (
            await session.execute(
                select(WebSession, Account)
                .join(Account, Account.id == WebSession.account_id)
                .where(WebSession.id == session_id(secret))
            )
        ).one_or_none()
        if found is None:
            return None
        web_session, account = found
        if not usable(web_session, account, now):
            await session.execute(delete(WebSession).where(WebSession.id == web_session.id))
            await session.commit()
            return None
        principal = principal_of(account)
        state.signed_in = SignedIn(
            account.username, account.name, account.role, web_session.csrf_token
        )
        session.expunge(web_session)  # detached, it keeps what it holds through the rollback
        await session.rollback()  # a read only: end it before the page does its work
    state.session_ended = False
    state.page_principal = principal
    state.principal = principal
    state.web_session = web_session
    return principal


PageViewer = Annotated[Principal | None, Depends(page_principal)]


def signed_in(request: Request) -> SignedIn | None:
    """The person signed in, once page_principal has run for this request."""
    return getattr(request.state, "signed_in", None)


def session_ended(request: Request) -> bool:
    """The request carried a session cookie that no longer signs anyone in."""
    return getattr(request.state, "session_ended", False)


def forget_ended_session(request: Request, response: Response) -> None:
    if session_ended(request):
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")


# --- signing in and out ---------------------------------------------------------------------


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


async def start_session(
    session: AsyncSession, request: Request, response: Response, account: Account, hours: float
) -> WebSession:
    """A new session for the account, its secret in the response's cookie. A new secret at
    every sign-in (no session fixation); the session the browser had before ends."""
    now = utcnow()
    previous = request.cookies.get(COOKIE)
    if previous:
        await session.execute(delete(WebSession).where(WebSession.id == session_id(previous)))
    await session.execute(delete(WebSession).where(WebSession.expires_at <= now))  # anyone's
    secret = secrets.token_urlsafe(32)
    row = WebSession(
        id=session_id(secret),
        account_id=account.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    session.add(row)
    await session.commit()
    response.set_cookie(
        COOKIE,
        secret,
        max_age=int(hours * 3600),
        path="/",
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    return row


async def end_session(session: AsyncSession, request: Request, response: Response) -> None:
    secret = request.cookies.get(COOKIE)
    if secret:
        await session.execute(delete(WebSession).where(WebSession.id == session_id(secret)))
        await session.commit()
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")


def safe_next(value: str | None) -> str | None:
    """A path on this site to go to after signing in, or None: never another site (no `//host`,
    no `/\\host`, no scheme, no control character or space)."""
    if not value or len(value) > 2000 or not value.startswith("/"):
        return None
    if value.startswith("//") or "\\" in value or any(c <= " " or c == "\x7f" for c in value):
        return None
    return value


def login_url(request: Request, next_path: str | None = None) -> str:
    """/login, coming back to next_path (default: this page) and keeping ?lang=en."""
    if next_path is None:
        next_path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    params = {"next": next_path} if safe_next(next_path) else {}
    if request.query_params.get("lang") == "en":
        params["lang"] = "en"
    return "/login" + (f"?{urlencode(params, quote_via=quote)}" if params else "")


def login_redirect(request: Request) -> RedirectResponse:
    """For a page that needs a person signed in: to the sign-in form, and back after."""
    return RedirectResponse(login_url(request), status_code=303)


# --- CSRF -----------------------------------------------------------------------------------


def anonymous_csrf_token(request: Request) -> str:
    """The double-submit value of an anonymous form: the browser's `recall_csrf` cookie, or a
    new value (set_csrf_cookie then sets the cookie)."""
    made = getattr(request.state, "new_csrf", None)
    if made:
        return made
    current = request.cookies.get(CSRF_COOKIE, "")
    if _TOKEN.fullmatch(current):
        return current
    request.state.new_csrf = secrets.token_urlsafe(32)
    return request.state.new_csrf


def csrf_token(request: Request) -> str:
    """The value for a form's hidden csrf_token: the session's token when signed in (after
    page_principal ran), else the anonymous double-submit value."""
    web_session = getattr(request.state, "web_session", None)
    if web_session is not None:
        return web_session.csrf_token
    return anonymous_csrf_token(request)


def set_csrf_cookie(request: Request, response: Response) -> None:
    made = getattr(request.state, "new_csrf", None)
    if made:
        response.set_cookie(
            CSRF_COOKIE, made, path="/", httponly=True, samesite="lax", secure=_secure(request)
        )


def _same(submitted: str | None, expected: str | None) -> bool:
    if not submitted or not expected:
        return False
    return hmac.compare_digest(submitted.encode(), expected.encode())


def check_anonymous_csrf(request: Request, submitted: str | None) -> None:
    """An anonymous form: the field must equal the `recall_csrf` cookie."""
    if not _same(submitted, request.cookies.get(CSRF_COOKIE)):
        raise Forbidden(CSRF_REFUSED, field="csrf_token", code="csrf")


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse (403, code csrf) a form whose csrf_token is missing or wrong: the session's token
    when signed in (call page_principal first), else the anonymous cookie's value."""
    web_session = getattr(request.state, "web_session", None)
    if web_session is None:
        check_anonymous_csrf(request, submitted)
    elif not _same(submitted, web_session.csrf_token):
        raise Forbidden(CSRF_REFUSED, field="csrf_token", code="csrf")
