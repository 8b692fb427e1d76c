"""Signing in and out (/login, /logout) and the admin page of accounts (/desk/admin/accounts).

Every POST here is in the audit trail (recall.auth.audit) with the person as its actor and the
account it was about as its object; a failed sign-in with the username tried, never a password."""

from datetime import datetime
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from recall.accounts import service
from recall.accounts.models import Account
from recall.accounts.sessions import (
    anonymous_csrf_token,
    check_anonymous_csrf,
    check_csrf,
    csrf_token,
    end_session,
    login_url,
    page_principal,
    principal_of,
    safe_next,
    session_ended,
    set_csrf_cookie,
    start_session,
)
from recall.associations.models import Association
from recall.auth.audit import note_for_audit
from recall.auth.principal import ROLES, Principal
from recall.dashboard.filters import CST
from recall.dashboard.i18n import Labels
from recall.dashboard.pages import Query, Viewer, _render
from recall.errors import Conflict, DomainError, Forbidden, InvalidField, NotFound
from recall.reference.models import Enterprise, Region

router = APIRouter(include_in_schema=False)
ACCOUNTS = "/desk/admin/accounts"
HOME = "/desk"
LISTED = 1000  # enterprises and associations offered in the form's suggestions


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _when(moment: datetime | None) -> str:
    return moment.astimezone(CST).strftime("%Y-%m-%d %H:%M") if moment else ""


def _with_lang(path: str, lang: str) -> str:
    """The page after signing in, in the language the person signed in with."""
    parts = urlsplit(path)
    if lang == "zh" or "lang" in parse_qs(parts.query):
        return path
    query = f"{parts.query}&lang={lang}" if parts.query else f"lang={lang}"
    return parts._replace(query=query).geturl()


def _page(
    request: Request, template: str, principal: Principal | None, status: int = 200, **context
) -> Response:
    response = _render(request, template, Query.of(request), Viewer(principal), status, **context)
    set_csrf_cookie(request, response)
    return response


def _refused(request: Request, principal: Principal | None, detail: str) -> Response:
    back = Query.of(request).lang_only(HOME if principal else "/dashboard")
    return _page(request, "account_refused.html", principal, 403, detail=detail, back=back)


# --- signing in and out ---------------------------------------------------------------------


def _login_form(
    request: Request, status: int = 200, *, username: str = "", next_path: str = "", **context
) -> Response:
    context.setdefault("error", None)
    context.setdefault("notice", None)
    response = _page(
        request,
        "login.html",
        None,
        status,
        login_csrf=anonymous_csrf_token(request),  # signing in is an anonymous form, always
        username=username,
        next_path=next_path,
        **context,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/login")
async def sign_in_form(request: Request) -> Response:
    await page_principal(request)  # the nav shows who is signed in, if anyone
    t = Labels(Query.of(request).lang)
    notice = None
    if session_ended(request):
        notice = t("login.ended")
    elif request.query_params.get("signed_out"):
        notice = t("login.signed_out")
    next_path = safe_next(request.query_params.get("next")) or ""
    return _login_form(request, next_path=next_path, notice=notice)


@router.post("/login")
async def sign_in(request: Request) -> Response:
    q = Query.of(request)
    t = Labels(q.lang)
    form = await request.form()
    username = _field(form, "username").strip()
    password = _field(form, "password")
    next_path = safe_next(_field(form, "next")) or ""
    note_for_audit(request, "account", username[:64] or "-")
    again = {"username": username[:64], "next_path": next_path}
    try:
        check_anonymous_csrf(request, _field(form, "csrf_token"))
    except Forbidden as refused:
        note_for_audit(request, "account", username[:64] or "-", refused.detail)
        return _login_form(request, 403, error=t("login.csrf"), **again)
    if not username or not password:
        note_for_audit(request, "account", "-", "sign-in refused: username or password missing")
        return _login_form(request, 401, error=t("login.missing"), **again)
    address = request.client.host if request.client else "unknown"
    target = _with_lang(next_path or HOME, q.lang)
    sessionmaker = request.app.state.sessionmaker
    async with sessionmaker() as session:
        try:
            account = await service.authenticate_password(
                session, username, password, address=address
            )
        except service.SigninLocked as locked:
            note_for_audit(request, "account", username[:64], locked.detail)
            response = _login_form(
                request, 429, error=t("login.locked", until=_when(locked.until)), **again
            )
            wait = (locked.until - datetime.now(CST)).total_seconds()
            response.headers["Retry-After"] = str(max(1, int(wait) + 1))
            return response
        except service.SigninRefused as refused:
            note_for_audit(request, "account", username[:64], refused.detail)
            return _login_form(request, 401, error=t("login.refused"), **again)
        request.state.principal = principal_of(account)  # the audit trail's actor
        note_for_audit(request, "account", account.username)
        response = RedirectResponse(target, status_code=303)
        await start_session(
            session, request, response, account, request.app.state.settings.session_hours
        )
    return response


@router.post("/logout")
async def sign_out(request: Request) -> Response:
    principal = await page_principal(request)
    form = await request.form()
    if principal is not None:
        note_for_audit(request, "account", principal.name)
        try:
            check_csrf(request, _field(form, "csrf_token"))
        except Forbidden as refused:
            note_for_audit(request, "account", principal.name, refused.detail)
            return _refused(request, principal, Labels(Query.of(request).lang)("refused.csrf"))
    q = Query.of(request)
    response = RedirectResponse(
        "/login?" + urlencode({"signed_out": "1", **({"lang": q.lang} if q.lang != "zh" else {})}),
        status_code=303,
    )
    async with request.app.state.sessionmaker() as session:
        await end_session(session, request, response)
    return response


# --- the admin page of accounts -------------------------------------------------------------


async def _admin(request: Request) -> Principal | Response:
    """The admin signed in, or the answer for anyone else: to /login, or 403."""
    principal = await page_principal(request)
    if principal is None:
        return RedirectResponse(login_url(request, Query.of(request).lang_only(ACCOUNTS)), 303)
    if not principal.is_admin:
        note_for_audit(request, "account", "-", "only an admin manages accounts")
        return _refused(request, principal, Labels(Query.of(request).lang)("refused.admin_only"))
    return principal


async def _checked_form(request: Request, principal: Principal) -> FormData | Response:
    form = await request.form()
    try:
        check_csrf(request, _field(form, "csrf_token"))
    except Forbidden as refused:
        note_for_audit(request, "account", "-", refused.detail)
        return _refused(request, principal, Labels(Query.of(request).lang)("refused.csrf"))
    return form


def _rows(accounts: list[Account], regions: dict[str, str]) -> list[dict]:
    return [
        {
            "username": a.username,
            "name": a.name,
            "role": a.role,
            "scope": ", ".join(f"{regions.get(c, c)} ({c})" for c in a.regions)
            or a.enterprise_id
            or a.association_id
            or "",
            "created": _when(a.created_at),
            "password_changed": _when(a.password_changed_at),
            "disabled": _when(a.disabled_at),
        }
        for a in accounts
    ]


def _error(t: Labels, error: DomainError, form_key: str) -> dict:
    """The refusal in the person's language; in Chinese, a sentence per field at fault."""
    kind = "taken" if error.code == "username_taken" else "invalid"
    if t.lang == "zh" and error.field and t.knows(f"accounts.{kind}", error.field):
        text = t(f"accounts.{kind}.{error.field}")
    elif t.lang == "zh" and error.code == "self_disable":
        text = t("accounts.self_disable")
    else:
        text = error.detail
    return {"form": form_key, "field": error.field, "text": text}


async def _accounts_page(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    status: int = 200,
    *,
    error: dict | None = None,
    form: dict | None = None,
) -> Response:
    t = Labels(Query.of(request).lang)
    regions = {code: name for code, name in await session.execute(select(Region.code, Region.name))}
    enterprises = [
        (id_, name)
        for id_, name in await session.execute(select(Enterprise.id, Enterprise.name).limit(LISTED))
    ]
    associations = [
        (id_, name)
        for id_, name in await session.execute(
            select(Association.id, Association.name).limit(LISTED)
        )
    ]
    rows = _rows(await service.list_accounts(session), regions)
    await session.rollback()
    done, who = request.query_params.get("done"), request.query_params.get("username", "")
    notice = t(f"accounts.done.{done}", username=who) if done in DONE else None
    return _page(
        request,
        "admin_accounts.html",
        principal,
        status,
        csrf_token=csrf_token(request),
        accounts=rows,
        me=principal.name,
        roles=ROLES,
        regions=sorted(regions.items()),
        enterprises=enterprises,
        associations=associations,
        form=form or {"username": "", "name": "", "role": "regulator", "region": []},
        error=error,
        done=notice,
    )


DONE = ("created", "disabled", "reset")


def _after(request: Request, done: str, username: str) -> RedirectResponse:
    params = {"done": done, "username": username}
    if (lang := Query.of(request).lang) != "zh":
        params["lang"] = lang
    return RedirectResponse(f"{ACCOUNTS}?{urlencode(params)}", status_code=303)


@router.get(ACCOUNTS)
async def accounts_page(request: Request) -> Response:
    admin = await _admin(request)
    if isinstance(admin, Response):
        return admin
    async with request.app.state.sessionmaker() as session:
        return await _accounts_page(request, session, admin)


@router.post(ACCOUNTS)
async def create_account(request: Request) -> Response:
    admin = await _admin(request)
    if isinstance(admin, Response):
        return admin
    form = await _checked_form(request, admin)
    if isinstance(form, Response):
        return form
    values = {
        "username": _field(form, "username").strip(),
        "name": _field(form, "name"),
        "role": _field(form, "role"),
        "region": [r.strip() for r in form.getlist("region") if isinstance(r, str) and r.strip()],
        "enterprise": _field(form, "enterprise").strip(),
        "association": _field(form, "association").strip(),
    }
    note_for_audit(request, "account", values["username"][:64] or "-")
    async with request.app.state.sessionmaker() as session:
        try:
            await service.create_account(
                session,
                username=values["username"],
                name=values["name"],
                role=values["role"],
                password=_field(form, "password"),
                regions=values["region"],
                enterprise_id=values["enterprise"] or None,
                association_id=values["association"] or None,
            )
        except (InvalidField, Conflict) as refused:
            await session.rollback()
            note_for_audit(request, "account", values["username"][:64] or "-", refused.detail)
            t = Labels(Query.of(request).lang)
            return await _accounts_page(
                request,
                session,
                admin,
                refused.status_code,
                error=_error(t, refused, "create"),
                form=values,
            )
    return _after(request, "created", values["username"])


async def _act_on(request: Request, username: str, act: str) -> Response:
    """Disable an account or give it a new password, from its row of the page."""
    admin = await _admin(request)
    if isinstance(admin, Response):
        return admin
    form = await _checked_form(request, admin)
    if isinstance(form, Response):
        return form
    note_for_audit(request, "account", username)
    async with request.app.state.sessionmaker() as session:
        try:
            if act == "disable":
                if username.lower() == admin.name.lower():
                    raise Conflict(
                        "you cannot disable the account you are signed in with",
                        code="self_disable",
                    )
                account = await service.disable_account(session, username)
            else:
                account = await service.set_password(session, username, _field(form, "password"))
        except NotFound as missing:
            note_for_audit(request, "account", username, missing.detail)
            return _page(request, "not_found.html", admin, 404)
        except (InvalidField, Conflict) as refused:
            await session.rollback()
            note_for_audit(request, "account", username, refused.detail)
            t = Labels(Query.of(request).lang)
            error = _error(t, refused, f"{act}:{username}")
            return await _accounts_page(request, session, admin, refused.status_code, error=error)
    return _after(request, "disabled" if act == "disable" else "reset", account.username)


@router.post(ACCOUNTS + "/{username}/disable")
async def disable_account(username: str, request: Request) -> Response:
    return await _act_on(request, username, "disable")


@router.post(ACCOUNTS + "/{username}/password")
async def reset_password(username: str, request: Request) -> Response:
    return await _act_on(request, username, "reset")
