"""Making, finding and revoking bearer tokens. A token is shown once; only its hash is kept."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Row, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from recall.associations.models import Association
from recall.auth.models import ApiToken
from recall.auth.principal import ROLES, Principal
from recall.common.types import new_id, utcnow
from recall.errors import Conflict, InvalidField, NotFound, Unauthorized
from recall.reference.models import Enterprise, Region
from recall.rules.limits import NAME

PREFIX = "rct_"
MAX_EXPIRY_DAYS = 3650  # ten years: a token meant to live longer should not expire at all
# role:name names the actor in milestones and the audit trail; it must fit in NAME.
MAX_NAME = NAME - 1 - max(len(role) for role in ROLES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def principal_of(row: ApiToken | Row) -> Principal:
    return Principal(
        name=row.name,
        role=row.role,
        regions=tuple(row.regions or ()),
        enterprise_id=row.enterprise_id,
        association_id=row.association_id,
        token_id=row.id,
    )


async def check_scope(
    session: AsyncSession,
    *,
    role: str,
    name: str,
    regions: list[str] | None,
    enterprise_id: str | None,
    association_id: str | None,
    kind: str = "token",
) -> list[str]:
    """Refuse (422) a role, name or scope that do not go together; the regions, without
    repeats. Tokens and people's accounts hold the same principal, so they share this."""
    regions = list(dict.fromkeys(regions or []))
    if role not in ROLES:
        raise InvalidField(f"role must be one of {', '.join(ROLES)}", field="role")
    if not name.strip():
        raise InvalidField("name must not be empty", field="name")
    if len(name.strip()) > MAX_NAME:
        raise InvalidField(f"name must be at most {MAX_NAME} characters", field="name")
    if role == "regulator" and not regions:
        raise InvalidField("a regulator needs at least one --region", field="region")
    if role != "regulator" and regions:
        raise InvalidField("only a regulator is scoped to regions", field="region")
    for code in regions:
        if await session.get(Region, code) is None:
            raise InvalidField(f"unknown region '{code}'", field="region")
    if (role == "enterprise") != (enterprise_id is not None):
        raise InvalidField(
            f"an enterprise {kind}, and only one, names --enterprise", field="enterprise"
        )
    if enterprise_id and await session.get(Enterprise, enterprise_id) is None:
        raise InvalidField(f"unknown enterprise '{enterprise_id}'", field="enterprise")
    if (role == "association") != (association_id is not None):
        raise InvalidField(
            f"an association {kind}, and only one, names --association", field="association"
        )
    if association_id and await session.get(Association, association_id) is None:
        raise InvalidField(f"unknown association '{association_id}'", field="association")
    return regions


async def create_token(
    session: AsyncSession,
    *,
    role: str,
    name: str,
    regions: list[str] | None = None,
    enterprise_id: str | None = None,
    association_id: str | None = None,
    expires_in: timedelta | None = None,
) -> tuple[ApiToken, str]:
    """Returns the stored row and the token itself (the only time it exists in clear)."""
    regions = await check_scope(
        session,
        role=role,
        name=name,
        regions=regions,
        enterprise_id=enterprise_id,
        association_id=association_id,
    )
    if expires_in is not None and expires_in <= timedelta(0):
        raise InvalidField("expiry must be in the future", field="expires")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        id=new_id("tok"),
        name=name.strip(),
        role=role,
        regions=regions,
        enterprise_id=enterprise_id,
        association_id=association_id,
        token_hash=hash_token(token),
        hint=token[: len(PREFIX) + 4],
        expires_at=utcnow() + expires_in if expires_in else None,
    )
    session.add(row)
    await session.commit()
    return row, token


# Built once, a plain row rather than an ORM object: this runs on every request.
_BY_HASH = select(ApiToken.__table__).where(
    ApiToken.__table__.c.token_hash == bindparam("token_hash")
)


async def authenticate(
    session: AsyncSession, token: str, *, now: datetime | None = None
) -> Principal:
    row = (await session.execute(_BY_HASH, {"token_hash": hash_token(token)})).one_or_none()
    now = now or utcnow()
    if row is None:
        raise Unauthorized("the bearer token is not known")
    if row.revoked_at is not None:
        raise Unauthorized("the bearer token was revoked")
    if row.expires_at is not None and row.expires_at <= now:
        raise Unauthorized("the bearer token has expired")
    return principal_of(row)


async def list_tokens(session: AsyncSession) -> list[ApiToken]:
    return list((await session.execute(select(ApiToken).order_by(ApiToken.created_at))).scalars())


def _is_live(row: ApiToken, now: datetime) -> bool:
    return row.revoked_at is None and (row.expires_at is None or row.expires_at > now)


async def revoke_rows(session: AsyncSession, rows: list[ApiToken]) -> list[ApiToken]:
    """Revoke these tokens at once (those revoked already stay as they are), unless that would
    leave no live admin token: then nobody could manage tokens over HTTP any more (409)."""
    now = utcnow()
    revoking = {row.id for row in rows if row.revoked_at is None}
    admins_revoked = {row.id for row in rows if row.role == "admin" and _is_live(row, now)}
    if admins_revoked:
        live_admins = set(
            (
                await session.execute(
                    select(ApiToken.id)
                    .where(
                        ApiToken.role == "admin",
                        ApiToken.revoked_at.is_(None),
                        or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
                    )
                    .with_for_update()  # two admins revoking each other: one waits, then sees
                )
            ).scalars()
        )
        if live_admins <= admins_revoked:
            raise Conflict(
                f"revoking {', '.join(sorted(admins_revoked))} would leave no live admin token: "
                "make another admin token first (`recall token create --role admin`)",
                code="last_admin_token",
            )
    for row in rows:
        if row.id in revoking:
            row.revoked_at = now
    await session.commit()
    return rows


async def revoke_token(session: AsyncSession, id_or_name: str) -> list[ApiToken]:
    """Revoke by id, or every live token of that name."""
    rows = list(
        (
            await session.execute(
                select(ApiToken).where(
                    or_(ApiToken.id == id_or_name, ApiToken.name == id_or_name),
                    ApiToken.revoked_at.is_(None),
                )
            )
        ).scalars()
    )
    if not rows:
        raise NotFound(f"no live token with id or name '{id_or_name}'")
    return await revoke_rows(session, rows)
