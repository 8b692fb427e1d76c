"""`recall user create | list | disable | password`, against the configured database. A password
is read from standard input (never an argument: those show in `ps` and the shell's history) and
never printed."""

import getpass
import sys

import typer

from recall.accounts import service
from recall.accounts.models import Account
from recall.common.cli import fail, with_database

user_app = typer.Typer(no_args_is_help=True, help="People's accounts for the pages")

PASSWORD_STDIN = typer.Option(
    False, "--password-stdin", help="read the password from standard input (required)"
)


def _run(work):
    """Run work(session) against the configured database (see recall.common.cli)."""

    async def in_session(factory):
        async with factory() as session:
            return await work(session)

    return with_database(in_session)


def _read_password(from_stdin: bool) -> str:
    if not from_stdin:
        fail("give the password on standard input, with --password-stdin", exit_code=2)
    if sys.stdin.isatty():  # typed by a person: do not echo it
        return getpass.getpass("password: ")
    text = sys.stdin.readline()  # the first line: `echo` and here-strings add a line break
    return text.removesuffix("\n").removesuffix("\r")


def _scope(account: Account) -> str:
    return ",".join(account.regions) or account.enterprise_id or account.association_id or "-"


@user_app.command("create")
def create(
    username: str = typer.Option(..., "--username", help="1-64 of A-Z a-z 0-9 . _ -"),
    role: str = typer.Option(..., "--role", help="admin | regulator | enterprise | association"),
    name: str = typer.Option(..., "--name", help="the person's name, as pages show it"),
    region: list[str] = typer.Option([], "--region", help="a regulator's region code; repeat"),
    enterprise: str = typer.Option(None, "--enterprise", help="the enterprise id of an enterprise"),
    association: str = typer.Option(None, "--association", help="the association id"),
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Make an account; its password (10 to 200 characters) comes from standard input."""
    password = _read_password(password_stdin)
    account = _run(
        lambda s: service.create_account(
            s,
            username=username,
            name=name,
            role=role,
            password=password,
            regions=region,
            enterprise_id=enterprise,
            association_id=association,
        )
    )
    typer.echo(f"account {account.username} for {account.role} {account.name} ({_scope(account)})")


@user_app.command("list")
def list_() -> None:
    """Every account: username, role, name, scope and state (never a password or its hash)."""
    accounts = _run(service.list_accounts)
    for a in accounts:
        state = f"disabled {a.disabled_at:%Y-%m-%d}" if a.disabled_at else "active"
        typer.echo(f"{a.username:<20} {a.role:<11} {a.name:<24} {_scope(a):<28} {state}")
    if not accounts:
        typer.echo("no accounts")


@user_app.command("disable")
def disable(username: str = typer.Argument(..., help="the account's username")) -> None:
    """Disable an account: it signs in no more, and its sessions end at once."""
    account = _run(lambda s: service.disable_account(s, username))
    typer.echo(f"disabled {account.username}; its sessions have ended")


@user_app.command("password")
def password(
    username: str = typer.Argument(..., help="the account's username"),
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Set a new password, read from standard input; the account's sessions end."""
    new_password = _read_password(password_stdin)
    account = _run(lambda s: service.set_password(s, username, new_password))
    typer.echo(f"new password for {account.username}; its sessions have ended")
