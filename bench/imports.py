"""Importing overseas recall notices, next to a bare bulk insert of the same rows.

    python bench/imports.py [--notices 100000] [--openfda-share 0.25]
                            [--database postgres|sqlite] [--pg-url postgresql://...]
                            [--batch 1000] [--drop-index NAME ...] [--profile]

Generates notices from the real captures in tests/data (each CPSC and openFDA record cycled with
a recall number of its own), creates a fresh database (recall_bench_<random> on PostgreSQL, or a
file in a temporary folder), migrates it with the project's migrations, adds the demo's
industries with their keywords, and measures in one run:

  import    recall.imports.service.import_notices on the records as load_file returns them
            (parsing, keyword matching and the writes included), CPSC then openFDA, from empty
  reimport  the same again: every notice is already filed and skipped
  floor     the rows the import wrote, read back, inserted again into the emptied table with the
            driver's executemany (asyncpg or aiosqlite), in transactions of --batch rows

It prints a table, then one JSON line of the headline figures with the floor beside each. The
database and the temporary folder go at the end, also after an error or Ctrl-C. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import aiosqlite
import asyncpg
from _database import bench_database
from _interrupt import run_until_signal
from sqlalchemy import delete, insert, text

from recall import migrate
from recall.db import create_engine, create_sessionmaker
from recall.demo import INDUSTRIES
from recall.imports.parsers import load_file
from recall.imports.service import import_notices
from recall.reference.models import Industry
from recall.reports.models import DefectReport

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
CPSC_FILE = DATA / "cpsc-recalls-2025-10_2026-04.json"
OPENFDA_FILE = DATA / "openfda-enforcement-2026-01_04.json"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
AIM = 0.5  # the aim: an import at least half as fast as the bare bulk insert
COLUMNS = [column.name for column in DefectReport.__table__.columns]
JSON_COLUMNS = {"enterprise_ids", "external"}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the notices ------------------------------------------------------------------------------


def generate(n: int, openfda_share: float) -> tuple[list[dict], list[dict]]:
    """n notices shaped like the real captures: CPSC records cycled with a recall number and id
    of their own; openFDA ones given a recall number as the live API has (the capture lacks it),
    except every tenth, which keeps none and is told apart by its content hash (a lot number)."""
    cpsc = json.loads(CPSC_FILE.read_text(encoding="utf-8"))
    openfda = json.loads(OPENFDA_FILE.read_text(encoding="utf-8"))["results"]
    n_openfda = round(n * openfda_share)
    cpsc_out = []
    for i in range(n - n_openfda):
        record, cycle = dict(cpsc[i % len(cpsc)]), i // len(cpsc)
        record["RecallNumber"] = f"{record['RecallNumber']}-{cycle:04d}"
        record["RecallID"] = record["RecallID"] + 100_000 * cycle
        cpsc_out.append(record)
    openfda_out = []
    for i in range(n_openfda):
        record = dict(openfda[i % len(openfda)])
        if i % 10:
            record["recall_number"] = f"F-{i:06d}-2026"
        else:
            record["product_description"] += f" (lot {i:06d})"
        openfda_out.append(record)
    return cpsc_out, openfda_out


# --- the database -----------------------------------------------------------------------------


@dataclass
class Database:
    kind: str
    url: str  # SQLAlchemy's
    raw: str  # the driver's: a PostgreSQL DSN or an SQLite path


@asynccontextmanager
async def fresh_database(args: argparse.Namespace, folder: Path):
    if args.database == "sqlite":
        path = folder / "recall.db"
        yield Database("sqlite", f"sqlite+aiosqlite:///{path}", str(path))
        return
    async with bench_database(args.pg_url, log=log) as pg:
        log(f"database {pg.name} on {pg.server}")
        yield Database("postgres", pg.url, pg.dsn)


async def prepare(engine, db: Database, drop_indexes: Sequence[str]) -> list[str]:
    """Migrate, add the demo's industries, drop the indexes asked; the indexes left."""
    await migrate.upgrade(engine)
    async with engine.begin() as conn:
        await conn.execute(
            insert(Industry),
            [
                {"code": code, "name": name, "name_en": name_en, "keywords": keywords}
                for code, name, name_en, keywords in INDUSTRIES
            ],
        )
        for index in drop_indexes:
            await conn.execute(text(f'DROP INDEX "{index}"'))
        if db.kind == "postgres":
            query = "SELECT indexname FROM pg_indexes WHERE tablename = 'defect_reports'"
        else:
            query = (
                "SELECT name FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'defect_reports'"
            )
        return sorted((await conn.execute(text(query))).scalars())


async def empty_reports(engine, db: Database) -> None:
    async with engine.begin() as conn:
        if db.kind == "postgres":
            await conn.execute(text("TRUNCATE defect_reports"))
        else:
            await conn.execute(delete(DefectReport))
    if db.kind == "sqlite":
        async with engine.connect() as conn:
            await conn.execute(text("VACUUM"))


# --- the three measurements -------------------------------------------------------------------


@dataclass
class Timed:
    label: str
    rows: int
    seconds: float
    cpu: float  # seconds of this process's CPU time
    note: str = ""

    @property
    def rate(self) -> float:
        return self.rows / self.seconds


async def run_import(sessionmaker, files: dict[str, Path], profile: bool) -> tuple:
    """import_notices on each file's records as the CLI reads them: wall and CPU seconds, the
    results, and the seconds load_file took (apart)."""
    started = time.perf_counter()
    loaded = {source: load_file(path, source) for source, path in files.items()}
    load_seconds = time.perf_counter() - started
    profiler = cProfile.Profile() if profile else None
    results = []
    cpu = time.process_time()
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    for source, records in loaded.items():
        results.append(await import_notices(sessionmaker, source, records))  # as the CLI does
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
        log(out.getvalue())
    return seconds, cpu, results, load_seconds


async def read_back(db: Database) -> list[tuple]:
    """The rows the import wrote, as the driver gives them, JSON columns decoded."""
    select = f"SELECT {', '.join(COLUMNS)} FROM defect_reports ORDER BY id"
    json_at = [i for i, column in enumerate(COLUMNS) if column in JSON_COLUMNS]
    if db.kind == "postgres":
        conn = await asyncpg.connect(db.raw)
        try:
            rows = [tuple(row) for row in await conn.fetch(select)]
        finally:
            await conn.close()
    else:
        async with aiosqlite.connect(db.raw) as conn:
            rows = [tuple(row) for row in await conn.execute_fetchall(select)]
    return [
        tuple(json.loads(v) if i in json_at and v is not None else v for i, v in enumerate(row))
        for row in rows
    ]


async def floor_insert(db: Database, rows: list[tuple], batch: int) -> tuple[float, float]:
    """executemany of the rows into the emptied table, a transaction per batch; wall and CPU
    seconds."""
    columns = ", ".join(COLUMNS)
    json_at = [i for i, column in enumerate(COLUMNS) if column in JSON_COLUMNS]
    if db.kind == "postgres":
        statement = f"INSERT INTO defect_reports ({columns}) VALUES " + (
            "(" + ", ".join(f"${i + 1}" for i in range(len(COLUMNS))) + ")"
        )
        conn = await asyncpg.connect(db.raw)
        try:
            # The driver encodes the JSON columns itself, as part of the insert.
            await conn.set_type_codec(
                "json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
            )
            started, cpu = time.perf_counter(), time.process_time()
            for start in range(0, len(rows), batch):
                async with conn.transaction():
                    await conn.executemany(statement, rows[start : start + batch])
            return time.perf_counter() - started, time.process_time() - cpu
        finally:
            await conn.close()
    statement = f"INSERT INTO defect_reports ({columns}) VALUES ({', '.join('?' * len(COLUMNS))})"
    async with aiosqlite.connect(db.raw, timeout=30) as conn:
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            await conn.execute(f"PRAGMA {pragma}")

        def encoded(chunk: list[tuple]):
            for row in chunk:
                yield tuple(json.dumps(v) if i in json_at else v for i, v in enumerate(row))

        started, cpu = time.perf_counter(), time.process_time()
        for start in range(0, len(rows), batch):
            await conn.executemany(statement, encoded(rows[start : start + batch]))
            await conn.commit()
        return time.perf_counter() - started, time.process_time() - cpu


async def count_reports(engine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(text("SELECT count(*) FROM defect_reports"))).scalar_one()


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"bench/imports.py: {message}")


async def bench(args: argparse.Namespace) -> str:
    started = time.perf_counter()
    cpsc, openfda = generate(args.notices, args.openfda_share)
    n = len(cpsc) + len(openfda)
    with tempfile.TemporaryDirectory(prefix="recall-bench-imports-") as tmp:
        folder = Path(tmp)
        files = {"cpsc": folder / "cpsc.json", "openfda": folder / "openfda.json"}
        files["cpsc"].write_text(json.dumps(cpsc), encoding="utf-8")
        files["openfda"].write_text(json.dumps({"results": openfda}), encoding="utf-8")
        warm = {"cpsc": folder / "warm.json"}
        warm["cpsc"].write_text(
            json.dumps([{**r, "RecallNumber": f"warm-{i}"} for i, r in enumerate(cpsc[:300])]),
            encoding="utf-8",
        )
        log(f"{len(cpsc):,} CPSC and {len(openfda):,} openFDA notices in {folder}")
        async with fresh_database(args, folder) as db:
            engine = create_engine(db.url)
            try:
                indexes = await prepare(engine, db, args.drop_index)
                log(f"migrated; defect_reports indexes: {', '.join(indexes)}")
                sessionmaker = create_sessionmaker(engine)
                await run_import(sessionmaker, warm, False)  # imports, pools, caches
                await empty_reports(engine, db)

                log("import ...")
                seconds, cpu, results, load_seconds = await run_import(
                    sessionmaker, files, args.profile
                )
                imported = sum(r.imported for r in results)
                check(imported == n, f"imported {imported} of {n}")
                check(not any(r.rejected for r in results), "records were rejected")
                first = Timed("import", n, seconds, cpu, f"load_file {load_seconds:.2f} s apart")

                log("reimport ...")
                seconds, cpu, results, _ = await run_import(sessionmaker, files, False)
                skipped = sum(r.skipped for r in results)
                check(skipped == n and not any(r.imported for r in results), "reimport filed")
                again = Timed("reimport (all skipped)", n, seconds, cpu)

                log("floor ...")
                rows = await read_back(db)
                check(len(rows) == n, f"read back {len(rows)} rows of {n}")
                await empty_reports(engine, db)
                seconds, cpu = await floor_insert(db, rows, args.batch)
                floor = Timed("floor: bare executemany", n, seconds, cpu)
                check(await count_reports(engine) == n, "the floor did not insert every row")
            finally:
                await engine.dispose()
    log(f"done in {time.perf_counter() - started:.0f} s")
    return report(args, n, indexes, floor, first, again)


def report(
    args: argparse.Namespace, n: int, indexes: list[str], floor: Timed, first: Timed, again: Timed
) -> str:
    lines = [
        f"{n:,} notices ({args.openfda_share:.0%} openFDA) on {args.database}; the floor in "
        f"transactions of {args.batch} rows, the import in its own batches",
        f"defect_reports indexes: {', '.join(indexes)}"
        + (f" (dropped: {', '.join(args.drop_index)})" if args.drop_index else ""),
        "",
        f"{'':<26}{'seconds':>9}{'rows/s':>10}{'x floor':>9}{'cpu us/row':>12}",
    ]
    for timed in (floor, first, again):
        lines.append(
            f"{timed.label:<26}{timed.seconds:>9.2f}{timed.rate:>10.0f}"
            f"{timed.rate / floor.rate:>9.2f}{1e6 * timed.cpu / timed.rows:>12.1f}  "
            f"{timed.note}".rstrip()
        )
    import_ratio = first.rate / floor.rate
    reimport_ratio = again.rate / first.rate
    lines += [
        "",
        f"aim: import at least {AIM:.0%} of the floor's speed: "
        f"{'met' if import_ratio >= AIM else 'NOT met'} ({import_ratio:.2f})",
        f"aim: reimport at least as fast as the import: "
        f"{'met' if reimport_ratio >= 1 else 'NOT met'} ({reimport_ratio:.2f})",
    ]
    headline = {
        "bench": "imports",
        "database": args.database,
        "notices": n,
        "floor_batch": args.batch,
        "floor_rows_per_s": round(floor.rate),
        "import_rows_per_s": round(first.rate),
        "import_vs_floor": round(import_ratio, 3),
        "import_aim": AIM,
        "reimport_rows_per_s": round(again.rate),
        "reimport_vs_import": round(reimport_ratio, 3),
        "reimport_aim": 1.0,
        "dropped_indexes": list(args.drop_index),
    }
    return "\n".join(lines) + "\n" + json.dumps(headline)


# --- main -------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notices", type=int, default=100_000, help="default 100000")
    parser.add_argument(
        "--openfda-share", type=float, default=0.25, help="share of openFDA notices; default 0.25"
    )
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--batch",
        type=int,
        default=1000,
        help="rows per transaction of the floor; default 1000, the import's own batch",
    )
    parser.add_argument(
        "--drop-index",
        nargs="+",
        default=[],
        metavar="NAME",
        help="drop these indexes of defect_reports after migrating, to see what they cost",
    )
    parser.add_argument(
        "--profile", action="store_true", help="print cProfile's top entries of the import"
    )
    args = parser.parse_args(argv)
    if args.notices < 1 or args.batch < 1 or not 0 <= args.openfda_share <= 1:
        parser.error("--notices and --batch must be at least 1, --openfda-share in 0..1")
    if args.database == "postgres" and urlsplit(args.pg_url).hostname not in LOOPBACK:
        parser.error("--pg-url must point at this machine (127.0.0.1)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    code, report = run_until_signal(lambda: bench(args), "interrupted; the database is dropped")
    if report is not None:
        print(report)
    return code


if __name__ == "__main__":
    sys.exit(main())
