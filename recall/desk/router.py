"""/desk, the person's to-do list, and the workbench's other pages in one router."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from recall.dashboard.views import when
from recall.desk import (
    association_page,
    case_page,
    cultivation_page,
    programme_page,
    reports_page,
    standard_page,
)
from recall.desk.pages import NotSignedIn, labels, person, render, to_login
from recall.desk.todo import todo

router = APIRouter(include_in_schema=False)
router.include_router(case_page.router)
router.include_router(reports_page.router)
router.include_router(standard_page.router)  # and /standards/{id}/comment, for anyone
router.include_router(programme_page.router)
router.include_router(association_page.router)
router.include_router(cultivation_page.router)


@router.get("/desk")
async def desk(request: Request) -> Response:
    try:
        principal = await person(request)
    except NotSignedIn:
        return to_login(request)
    t = labels(request)
    async with request.app.state.sessionmaker() as session:
        items = await todo(session, principal)
        await session.rollback()
    shown = [
        {
            "what": t(f"todo.{item.what}", n=item.count),
            "kind": item.what,
            "link": item.link,
            "title": item.title,
            "number": item.number,
            "due_date": item.due_at.date().isoformat() if item.due_at else None,
            "due": when(item.due_at),
            "overdue": item.overdue,
        }
        for item in items
    ]
    return render(
        request,
        "desk/index.html",
        principal,
        items=shown,
        may_triage=principal.is_admin or principal.role == "regulator",
    )
