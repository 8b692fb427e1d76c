"""The `recall` command."""

import asyncio
import contextlib
import logging
import os
import sys
from pathlib import Path
from typing import NoReturn

import typer
from sqlalchemy import make_url

from recall.accounts.cli import user_app
from recall.auth.cli import token_app
from recall.config import Settings, get_settings
from recall.imports.cli import import_app
from recall.observability.logging import configure_logging

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Product recall and industry-uplift tracker (实施一个召回 提升一个产业)",
)
app.add_typer(import_app, name="import", help="Import overseas recall notices as defect reports")
app.add_typer(token_app, name="token")
app.add_typer(user_app, name="user")
db_app = typer.Typer(no_args_is_help=True, help="Database schema")
app.add_typer(db_app, name="db")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


@app.command()
def up(
    demo: bool = typer.Option(False, "--demo", help="load demo data into an empty database"),
    data_dir: Path = typer.Option(None, "--data-dir", help="where the databases live"),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
) -> None:
    """Start everything on the embedded default: Temporal dev server, SQLite, worker, API."""
    from recall.runtime import StartupError
    from recall.up import run_stack

    if data_dir is not None:
        os.environ["RECALL_DATA_DIR"] = str(data_dir)
        get_settings.cache_clear()
    settings = get_settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    try:
        asyncio.run(run_stack(settings, host=host, port=port, demo=demo))
    except StartupError as err:
        _fail(str(err))
    except KeyboardInterrupt:
        pass


@app.command()
def api(
    host: str = typer.Option("127.0.0.1", "--host"), port: int = typer.Option(8000, "--port")
) -> None:
    """Run the HTTP API against the servers configured by RECALL_* variables."""
    from recall.runtime import StartupError, port_is_free, run_api

    settings = _server_settings()
    if not port_is_free(host, port):
        _fail(f"port {port} on {host} is taken; choose another with --port")
    try:
        asyncio.run(run_api(settings, host=host, port=port))
    except StartupError as err:
        _fail(str(err))


@app.command()
def worker() -> None:
    """Run the Temporal worker against the servers configured by RECALL_* variables."""
    from recall.runtime import run_worker
    from recall.temporal import connect_options, describe

    settings = _server_settings()
    try:
        asyncio.run(run_worker(settings))
    except KeyboardInterrupt:
        pass
    except RuntimeError as err:  # connection refused and the like
        _fail(f"cannot reach Temporal at {describe(connect_options(settings))}: {err}")


def _server_settings() -> Settings:
    """Settings for `recall api` and `recall worker`, with logging set up; a setting that cannot
    work (a refused value, an unreadable TLS file, half a client pair) is one line and exit 1."""
    from pydantic import ValidationError

    from recall.config import settings_problem
    from recall.temporal import TemporalConfigError, connect_options

    try:
        settings = get_settings()
    except ValidationError as err:
        _fail(settings_problem(err))
    configure_logging(settings.log_level, json_lines=settings.log_json)
    try:
        connect_options(settings)
    except TemporalConfigError as err:
        _fail(str(err))
    return settings


@app.command()
def reconcile(
    repair: bool = typer.Option(
        False, "--repair", help="rewrite the rows that differ from their workflow's state"
    ),
) -> None:
    """Compare every workflow's state with its rows in the database (exit 1 while any differ)."""
    from recall.common.cli import with_database
    from recall.reconcile.run import command

    settings = get_settings()
    raise typer.Exit(with_database(lambda sessions: command(settings, sessions, repair=repair)))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the configured database to the newest schema."""
    from recall.runtime import upgrade_database

    settings: Settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(upgrade_database(settings))
    shown = make_url(settings.sqlalchemy_url).render_as_string(hide_password=True)
    typer.echo(f"database at {shown} is at the newest schema")  # never the password


def main() -> None:  # pragma: no cover - console entry
    try:
        app(prog_name="recall")
    except SystemExit as done:
        _exit(done.code)


def _exit(code: object) -> NoReturn:
    """End the command. Once Temporal's core runtime has threads, the interpreter is not
    finalized: a runtime thread that calls into Python while it finalizes aborts the process
    (SIGABRT after the command's own output, temporalio/sdk-python#300), so a command that
    failed with exit 1 or ended well would sometimes die with 134 instead."""
    if "temporalio.bridge.runtime" not in sys.modules:
        raise SystemExit(code)
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
