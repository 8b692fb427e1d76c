"""The public recall notices for people: /recalls (searched and filtered), /recalls/{number}, and
/recalls.atom for feed readers. Anyone may read them, signed in or not; they show what the API's
notices hold and nothing more."""

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from recall.accounts.sessions import page_principal
from recall.dashboard.filters import CST
from recall.dashboard.i18n import Labels
from recall.dashboard.pages import Query, Viewer, _render
from recall.dashboard.views import Names, names, number
from recall.deps import SessionDep
from recall.errors import InvalidField, NotFound
from recall.notices import atom, service
from recall.rules.limits import NAME

router = APIRouter(include_in_schema=False)
SHOWN = 20  # notices on one page; a link leads to the next
FEED_SIZE = 50  # the newest notices in the feed


@dataclass(frozen=True)
class NoticeQuery(Query):
    """The dashboard's query with the search text: a shared link, or the language switch,
    keeps the search."""

    text: str = ""

    @classmethod
    def of(cls, request: Request) -> "NoticeQuery":
        text = request.query_params.get("q", "").strip()[:NAME]
        return replace(super().of(request), text=text)

    def url(self, path: str, **changes: str) -> str:
        return super().url(path, **{"q": self.text, "from": "", "to": "", **changes})


def _when(moment) -> str:
    return moment.astimezone(CST).strftime("%Y-%m-%d %H:%M")


def _shown(notice: dict, n: Names, t: Labels) -> dict:
    """A notice in the page's language."""
    lang, rate = t.lang, notice["correction_rate"]
    return {
        **notice,
        "hazard": notice["hazard"][lang],
        "remedy_text": notice["remedy_text"][lang],
        "what_to_do": notice["what_to_do"][lang],
        "decision_text": t.code("decision", notice["decision"]),
        "industry": n.industry(notice["industry_code"], lang),
        "region": n.region(notice["region_code"]),
        "units": t("notice.units_value", n=notice["units_affected"]),
        "rate": t("notice.not_reported") if rate is None else f"{number(rate * 100)}%",
        "published": _when(notice["published_at"]),
        "updated": _when(notice["updated_at"]),
        "href": atom.notice_path(notice["number"]),
    }


@router.get("/recalls")
async def notices_page(request: Request, session: SessionDep) -> Response:
    q = NoticeQuery.of(request)
    t = Labels(q.lang)
    viewer = Viewer(await page_principal(request))
    n = await names(session)
    cursor = request.query_params.get("cursor") or None
    notices, next_cursor, error, status = [], None, None, 200
    try:
        notices, next_cursor = await service.list_notices(
            session,
            q=q.text or None,
            industry=q.industry or None,
            region=q.region or None,
            limit=SHOWN,
            cursor=cursor,
        )
    except InvalidField as refused:
        error, status = t("filter.invalid", detail=refused.detail), 422
    await session.rollback()
    return _render(
        request,
        "recalls/list.html",
        q,
        viewer,
        status,
        notices=[_shown(notice, n, t) for notice in notices],
        names=n,
        error=error,
        next_url=q.url("/recalls", cursor=next_cursor) if next_cursor else None,
        first_url=q.url("/recalls") if cursor else None,
        feed_url=q.url("/recalls.atom"),
    )


@router.get("/recalls.atom")
async def notices_feed(request: Request, session: SessionDep) -> Response:
    """The newest notices as an Atom feed, with the page's filters and language."""
    q = NoticeQuery.of(request)
    notices, _ = await service.list_notices(
        session,
        q=q.text or None,
        industry=q.industry or None,
        region=q.region or None,
        limit=FEED_SIZE,
        cursor=None,
    )
    await session.rollback()
    chosen = {"q": q.text, "industry": q.industry, "region": q.region, "lang": q.lang}
    query = urlencode({k: v for k, v in chosen.items() if v and (k, v) != ("lang", "zh")})
    body = atom.feed(
        notices,
        Labels(q.lang),
        base_url=str(request.base_url),
        query=f"?{query}" if query else "",
        self_url=str(request.url),
        host=request.url.hostname,
    )
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.get("/recalls/{notice_number}")
async def notice_page(notice_number: str, request: Request, session: SessionDep) -> Response:
    q = NoticeQuery.of(request)
    t = Labels(q.lang)
    viewer = Viewer(await page_principal(request))
    try:
        notice = await service.get_notice(session, notice_number)
    except NotFound:
        await session.rollback()
        return _render(request, "not_found.html", q, viewer, 404)
    n = await names(session)
    await session.rollback()
    return _render(
        request,
        "recalls/notice.html",
        q,
        viewer,
        notice=_shown(notice, n, t),
        feed_url=q.url("/recalls.atom"),
    )
