"""`recall import cpsc FILE`, `recall import openfda FILE` and `recall import retag`."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from recall.common.cli import fail, with_database
from recall.imports.parsers import ImportFileError, Source, load_file
from recall.imports.service import (
    ImportResult,
    Progress,
    Rejection,
    RetagResult,
    SessionFactory,
    count_retaggable,
    import_notices,
    retag_reports,
)

import_app = typer.Typer(
    no_args_is_help=True, help="Import overseas recall notices as defect reports"
)

T = TypeVar("T")


@import_app.command()
def cpsc(
    file: Annotated[
        Path, typer.Argument(help="A saved response of the CPSC Recalls REST API (a JSON array)")
    ],
) -> None:
    """File each CPSC recall in FILE as a defect report."""
    _import_file("cpsc", file)


@import_app.command()
def openfda(
    file: Annotated[
        Path, typer.Argument(help='A saved openFDA enforcement response ({"results": [...]})')
    ],
) -> None:
    """File each openFDA enforcement report in FILE as a defect report."""
    _import_file("openfda", file)


@import_app.command()
def retag() -> None:
    """Tie imported notices without a case again to the industries their keywords match now."""
    result = with_database(_retag)
    typer.echo(f"retagged {result.retagged}, unchanged {result.unchanged}")


def _import_file(source: Source, file: Path) -> None:
    try:
        records = load_file(file, source)
    except ImportFileError as exc:
        fail(exc.message, exit_code=2)

    async def run(factory: SessionFactory) -> ImportResult:
        with _progress_bar(len(records), f"importing {source}") as progress:
            return await import_notices(factory, source, records, progress=progress)

    result = with_database(run)
    for rejection in result.rejected:
        typer.echo(describe_rejection(rejection))
    rejected = len(result.rejected)
    typer.echo(f"imported {result.imported}, skipped {result.skipped}, rejected {rejected}")


def describe_rejection(rejection: Rejection) -> str:
    named = f" (recall number {rejection.key})" if rejection.key else ""
    return f"rejected record at index {rejection.index}{named}: {rejection.reason}"


async def _retag(factory: SessionFactory) -> RetagResult:
    total = await count_retaggable(factory)
    with _progress_bar(total, "retagging") as progress:
        return await retag_reports(factory, progress=progress)


@contextmanager
def _progress_bar(length: int, label: str) -> Iterator[Progress | None]:
    """A bar on stderr when a person watches it; nothing when output goes to a file or pipe."""
    if length == 0 or not sys.stderr.isatty():
        yield None
        return
    with typer.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar.update
