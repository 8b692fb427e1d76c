"""What every act sent from a workbench form goes through, whatever it acts on: the person
signed in, the CSRF check, the audit trail's object, the ids its idempotency key seeds, and a
refusal kept beside the form. Each page says only what its acts do (recall/desk/*_page.py)."""

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from recall.auth.audit import note_for_audit
from recall.auth.principal import Principal
from recall.commands import CommandContext
from recall.desk.forms import Refusal, Submitted, ids_for, new_idempotency_key
from recall.desk.pages import NotSignedIn, checked_form, forbidden_page, person, to_login
from recall.errors import DomainError, EngineUnavailable, Forbidden, Unavailable


@dataclass
class Received:
    """An act's form, sent by a person signed in with a good CSRF token."""

    principal: Principal
    form: FormData
    key: str | None  # the form's idempotency key

    def field(self, name: str) -> str | None:
        value = self.form.get(name)
        return value if isinstance(value, str) else None


async def receive(request: Request, object_type: str, object_id: str) -> Received | Response:
    """The act's form, or the answer to give at once: to /login, or 403 for a bad CSRF token."""
    try:
        principal = await person(request)
    except NotSignedIn:
        return to_login(request)
    try:
        form = await checked_form(request)
    except Forbidden as error:
        return forbidden_page(request, principal, error)
    note_for_audit(request, object_type, object_id)
    received = Received(principal, form, None)
    received.key = received.field("idempotency_key")
    return received


def command_context(
    request: Request, session: AsyncSession, received: Received, subject: str, act: str
) -> CommandContext:
    """The act's command context; its ids are seeded by the form's key (sent twice: once)."""
    return CommandContext(
        session=session,
        workflows=request.app.state.workflows,
        principal=received.principal,
        ids=ids_for(received.principal.actor, subject, act, received.key),
    )


def refuse(
    request: Request, submitted: Submitted, error: DomainError, object_type: str, object_id: str
) -> None:
    """Keep the refusal with the form. After a 503 the form keeps its key (sent again, the act is
    done once); after any other refusal nothing was done, so the corrected form is a new act."""
    if not isinstance(error, Unavailable | EngineUnavailable):
        submitted.values["idempotency_key"] = new_idempotency_key()
    submitted.refusal = Refusal.of(error)
    note_for_audit(request, object_type, object_id, error.detail)


def add_act_routes(
    router: APIRouter,
    path: str,
    acts: Iterable[str],
    handle: Callable[[Request, str, str], Awaitable[Response]],
    param: str | None = None,
) -> None:
    """`POST <path>/{act}` for each act, one route each: the audit trail names the act, as it
    names the API's routes. `handle(request, object_id, act)`, the object's id taken from the
    path parameter `param`."""

    def route(act: str):
        async def handler(request: Request) -> Response:
            object_id = request.path_params[param] if param else ""
            return await handle(request, object_id, act)

        handler.__name__ = act
        return handler

    for act in acts:
        router.add_api_route(f"{path}/{act}", route(act), methods=["POST"], name=act)
