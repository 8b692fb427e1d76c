from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict
from sqlalchemy import or_, select

from recall.auth import permissions
from recall.auth.models import AuditEntry
from recall.common.pagination import Cursor, Limit, Page, keyset_page
from recall.deps import SessionDep, require

router = APIRouter(tags=["audit"])


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
    object: str | None = None,
    actor: str | None = None,
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
