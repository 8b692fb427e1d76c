"""How an act sent from one of the chain's pages is answered (recall.desk.acts, as for a case):
the person signed in, the CSRF token, the form's idempotency key seeding the ids (a form sent
twice acts once), one service call, the audit trail naming the act and the object, and a refusal
shown beside its form with the person's input."""

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from recall.auth.principal import Principal
from recall.commands import CommandContext
from recall.desk.acts import command_context, receive, refuse
from recall.desk.forms import Refusal, Submitted, form_values, new_idempotency_key
from recall.desk.pages import after_act, render
from recall.errors import DomainError, NotFound

# Inputs of the chain's forms that the API takes as lists (ticked checkboxes).
LISTS = ("case_ids", "founding_enterprise_ids")

# perform(session, cmd, values) -> the path of the page to go to after the act
Perform = Callable[[AsyncSession, CommandContext, dict[str, Any]], Awaitable[str]]
# show(principal, submitted, status) -> the page again, with the refused form
Show = Callable[[Principal, Submitted, int], Awaitable[Response]]


def fresh(act: str, **values: Any) -> Submitted:
    """A form as the page first offers it: its own idempotency key, made now."""
    return Submitted(act, {"idempotency_key": new_idempotency_key(), **values})


def chain_form_values(form: FormData) -> dict[str, Any]:
    values = form_values(form)
    for name in LISTS:
        if name in values:
            values[name] = [v for v in form.getlist(name) if isinstance(v, str) and v.strip()]
    return values


def place(forms: dict[str, Submitted], submitted: Submitted | None) -> Refusal | None:
    """Put a refused form where its fresh one was; its refusal when it has no place there."""
    if submitted is None:
        return None
    if submitted.act in forms:
        forms[submitted.act] = submitted
        return None
    return submitted.refusal


async def act(
    request: Request,
    *,
    act: str,
    object_type: str,
    object_id: str,
    perform: Perform,
    show: Show,
) -> Response:
    received = await receive(request, object_type, object_id)
    if isinstance(received, Response):
        return received
    values = chain_form_values(received.form)
    submitted = Submitted(act, {**values, "idempotency_key": received.key or ""})
    async with request.app.state.sessionmaker() as session:
        try:
            cmd = command_context(request, session, received, object_id or object_type, act)
            path = await perform(session, cmd, values)
        except NotFound:
            return render(request, "not_found.html", received.principal, 404)
        except DomainError as error:
            refuse(request, submitted, error, object_type, object_id)
            return await show(received.principal, submitted, error.status_code)
    return after_act(request, path)
