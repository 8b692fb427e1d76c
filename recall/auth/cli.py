"""`recall token create | list | revoke`, against the configured database."""

from datetime import timedelta

import typer

from recall.auth import tokens
from recall.common.cli import with_database

token_app = typer.Typer(no_args_is_help=True, help="Bearer tokens: who may do what")


def _run(work):
    """Run work(session) against the configured database (see recall.common.cli)."""

    async def in_session(factory):
        async with factory() as session:
            return await work(session)

    return with_database(in_session)


@token_app.command("create")
def create(
    role: str = typer.Option(..., "--role", help="admin | regulator | enterprise | association"),
    name: str = typer.Option(..., "--name", help="who holds it (a person or a system)"),
    region: list[str] = typer.Option([], "--region", help="a regulator's region code; repeat"),
    enterprise: str = typer.Option(None, "--enterprise", help="the enterprise id of an enterprise"),
    association: str = typer.Option(None, "--association", help="the association id"),
    expires_in_days: float = typer.Option(
        None, "--expires-in-days", min=1, max=tokens.MAX_EXPIRY_DAYS, help="default: never"
    ),
) -> None:
    """Make a token. It is printed once, alone on the last line: keep it safe."""
    expires = timedelta(days=expires_in_days) if expires_in_days is not None else None
    row, token = _run(
        lambda s: tokens.create_token(
            s,
            role=role,
            name=name,
            regions=region,
            enterprise_id=enterprise,
            association_id=association,
            expires_in=expires,
        )
    )
    scope = ", ".join(row.regions) or row.enterprise_id or row.association_id or "everything"
    expiry = row.expires_at.isoformat() if row.expires_at else "never"
    typer.echo(f"token {row.id} for {row.role} {row.name} ({scope}), expires {expiry}:")
    typer.echo(token)


@token_app.command("list")
def list_() -> None:
    """Every token: id, role, name, scope and state (never the token itself)."""
    rows = _run(tokens.list_tokens)
    for row in rows:
        scope = ",".join(row.regions) or row.enterprise_id or row.association_id or "-"
        state = (
            "revoked"
            if row.revoked_at
            else (f"expires {row.expires_at:%Y-%m-%d}" if row.expires_at else "live")
        )
        typer.echo(f"{row.id}  {row.hint}…  {row.role:<11} {row.name:<24} {scope:<28} {state}")
    if not rows:
        typer.echo("no tokens")


@token_app.command("revoke")
def revoke(
    id_or_name: str = typer.Argument(..., help="a token id, or a name (all its tokens)"),
) -> None:
    """Revoke a token at once; requests with it are then answered 401."""
    rows = _run(lambda s: tokens.revoke_token(s, id_or_name))
    for row in rows:
        typer.echo(f"revoked {row.id} ({row.role} {row.name})")
