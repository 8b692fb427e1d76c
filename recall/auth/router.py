from datetime import datetime, timedelta
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import or_, select

from recall.auth import permissions, tokens
from recall.auth.models import ApiToken, AuditEntry
from recall.common.idempotency import keep_out_of_replay
from recall.common.pagination import Cursor, Limit, Page, keyset_page
from recall.common.responses import errors
from recall.common.text import Filter, Ids, MaybeReal, Name, bounded_text
from recall.deps import SessionDep, require
from recall.errors import NotFound

router = APIRouter(tags=["tokens and audit"])
ADMINS_ONLY = [require(permissions.may_manage_tokens, "only an admin manages tokens")]
TokenName = bounded_text(tokens.MAX_NAME)


class TokenIn(BaseModel):
    role: Literal["admin", "regulator", "enterprise", "association"]
    name: TokenName
    regions: Ids = Field(default_factory=list, description="a regulator's region codes")
    enterprise_id: Name | None = None
    association_id: Name | None = None
    expires_in_days: MaybeReal = Field(
        None, ge=1, le=tokens.MAX_EXPIRY_DAYS, allow_inf_nan=False, description="default: never"
    )


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    role: str
    regions: list[str]
    enterprise_id: str | None
    association_id: str | None
    hint: str = Field(description="the first characters of the token, to tell tokens apart")
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(description="shown this once; only its hash is kept")


@router.post(
    "/tokens",
    status_code=201,
    response_model=NewTokenOut,
    dependencies=ADMINS_ONLY,
    responses=errors(
        {
            403: "only an admin manages tokens",
            409: "`already_answered`: sent again with an Idempotency-Key that already made a "
            "token (its secret is shown once only, and kept nowhere)",
        }
    ),
)
async def create_token(body: TokenIn, session: SessionDep, request: Request):
    """The same as `recall token create`. The token is in this answer only: sent again with the
    same Idempotency-Key, the request is answered 409 `already_answered` (naming the token's id),
    since the token itself is kept nowhere."""
    keep_out_of_replay(request, "token")
    expires = timedelta(days=body.expires_in_days) if body.expires_in_days else None
    row, token = await tokens.create_token(
        session,
        role=body.role,
        name=body.name,
        regions=body.regions,
        enterprise_id=body.enterprise_id,
        association_id=body.association_id,
        expires_in=expires,
    )
    return NewTokenOut(**TokenOut.model_validate(row).model_dump(), token=token)


@router.get("/tokens", response_model=Page[TokenOut], dependencies=ADMINS_ONLY)
async def list_tokens(session: SessionDep, limit: Limit = 50, cursor: Cursor = None):
    """Every API token (live, expired, revoked) with its role and scope, never the secret.
    Admin only (else 403)."""
    items, next_cursor = await keyset_page(
        session, select(ApiToken), [ApiToken.created_at, ApiToken.id], limit=limit, cursor=cursor
    )
    return Page(items=items, next_cursor=next_cursor)


@router.post(
    "/tokens/{token_id}/revocation",
    response_model=TokenOut,
    dependencies=ADMINS_ONLY,
    responses=errors(
        {
            403: "only an admin manages tokens",
            404: "no such token",
            409: "`last_admin_token`: it is the last live admin token",
        }
    ),
)
async def revoke_token(token_id: str, session: SessionDep):
    """Revoke at once: requests with it are answered 401 from now on."""
    row = await session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"no token {token_id}")
    if row.revoked_at is None:  # revoking twice changes nothing
        await tokens.revoke_rows(session, [row])
    return row


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    action: str
    method: str
    path: str
    object_type: str | None
    object_id: str | None
    status_code: int
    request_id: str | None
    detail: str | None


@router.get(
    "/audit",
    response_model=Page[AuditOut],
    dependencies=[require(permissions.may_read_audit, "only an admin reads the audit trail")],
)
async def audit(
    session: SessionDep,
    object: Filter = None,
    actor: Filter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
):
    """Every command, newest first. `object` is an id (case_..., hz_..., a region code);
    `actor` a token name or `role:name`."""
    stmt = select(AuditEntry)
    if object:
        stmt = stmt.where(or_(AuditEntry.object_id == object, AuditEntry.path.contains(object)))
    if actor:
        stmt = stmt.where(or_(AuditEntry.actor == actor, AuditEntry.actor.endswith(f":{actor}")))
    items, next_cursor = await keyset_page(
        session, stmt, [AuditEntry.id], limit=limit, cursor=cursor, descending=True
    )
    return Page(items=items, next_cursor=next_cursor)
