"""The public dashboard's SQL at one million hazards on PostgreSQL.

    python bench/dashboard.py [--cases 10000] [--hazards 1000000] [--repeat 20] [--keep]
                              [--pg-url postgresql://postgres@127.0.0.1:5432]
                              [--database NAME] [--explain] [--seed 7]

Creates a fresh database recall_bench_<random>, migrates it with the project's Alembic migrations
(not create_all), fills it with COPY (regions, industries, enterprises, cases, hazards and the
industry chain: programmes with their regions and members, associations, standards and brand
cultivations), runs ANALYZE, then times recall.dashboard.service.summary() and hazards_by()
through a real AsyncSession, each call --repeat times after one warm-up, and prints p50, p95 and
max per call; then the unfiltered summary() against its floor, the same statements sent on a raw
asyncpg connection (aim: at most 1.5x). Ends with one JSON line of these figures. The database
is dropped at the end unless --keep.

--database NAME reuses a database kept by an earlier run: it is upgraded to head (so a new
index migration lands on the filled tables), analysed and timed, and never dropped.
--explain also prints EXPLAIN (ANALYZE, BUFFERS) of every statement of one call of each kind.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
from _database import bench_database
from _statements import statements_of

from recall import migrate
from recall.dashboard import service
from recall.dashboard.filters import parse_filter
from recall.db import create_engine, create_sessionmaker
from recall.rules.credit_code import credit_code_check_char
from recall.rules.programme_rules import STAGES as PROGRAMME_STAGES

AIM_MS = 100.0
AIM_SQL_RATIO = 1.5  # a summary call against the bare SQL it sends
CST_OFFSET = timedelta(hours=8)

REGIONS = (
    ("330702", "婺城区"), ("330703", "金东区"), ("330723", "武义县"), ("330726", "浦江县"),
    ("330727", "磐安县"), ("330781", "兰溪市"), ("330782", "义乌市"), ("330783", "东阳市"),
    ("330784", "永康市"),
)  # fmt: skip

# code, name, name_en, share of cases, where its enterprises are (region: weight)
INDUSTRIES = (
    ("magnetic-toys", "巴克球/磁力玩具", "Magnet ball toys", 0.22,
     {"330702": 4, "330703": 3, "330782": 5, "330726": 1}),
    ("vacuum-flasks", "保温杯(壶)", "Vacuum flasks", 0.20,
     {"330784": 6, "330723": 3, "330726": 1}),
    ("electric-garden-tools", "电动园林工具", "Electric garden tools", 0.14,
     {"330784": 5, "330723": 1, "330781": 1}),
    ("hardware", "现代五金", "Hardware", 0.16, {"330784": 5, "330723": 2, "330727": 1}),
    ("auto-moto-parts", "汽摩配", "Auto and motorcycle parts", 0.12,
     {"330784": 3, "330702": 1, "330781": 1}),
    ("magnetic-materials", "磁性材料", "Magnetic materials", 0.08, {"330783": 4, "330703": 1}),
    ("gears", "齿轮", "Gears", 0.08, {"330781": 2, "330783": 2, "330727": 1}),
)  # fmt: skip

# case stage: share of cases, how old (days) a case in that stage is, share of its hazards
# eliminated; cases that went further are older and have more of their hazards eliminated.
CASE_STAGES = (
    ("reported", 0.07, (1, 30), 0.05),
    ("assessed", 0.07, (10, 60), 0.15),
    ("closed_no_recall", 0.08, (30, 760), 1.0),
    ("recall_planned", 0.10, (20, 120), 0.45),
    ("remediating", 0.25, (30, 400), 0.80),
    ("verified", 0.10, (90, 730), 1.0),
    ("closed", 0.33, (120, 760), 1.0),
)
DONE_STAGES = {"closed_no_recall", "verified", "closed"}

CATEGORY_WEIGHTS = {
    "ingestion": 18, "burn": 12, "choking": 14, "fire": 9, "electric_shock": 8,
    "laceration": 10, "chemical": 6, "entrapment": 3, "fall": 4, "strangulation": 2,
    "suffocation": 2, "injury": 8, "other": 4,
}  # fmt: skip
HAZARD_TEXT = {
    "ingestion": "强磁体直径小于小零件圆筒，儿童吞食多颗后可致肠穿孔",
    "burn": "保温层失效，外壁温度超过 GB 4706 限值，握持烫伤",
    "choking": "小零件在拉力试验后脱落，可致 3 岁以下儿童窒息",
    "fire": "电池组无过充保护，充电过程中起火",
    "electric_shock": "电源线绝缘层厚度不足，潮湿环境下漏电",
    "laceration": "刀片护罩强度不足，跌落后刀片外露",
    "chemical": "内胆涂层迁移物超标（GB 4806.9），长期使用有害健康",
    "entrapment": "折叠机构无锁止，手指可能被夹",
    "fall": "头盔系带强度不足，冲击时脱落",
    "strangulation": "拉绳长度超过 220 mm，有勒颈风险",
    "suffocation": "包装袋厚度不足 0.038 mm 且无透气孔",
    "injury": "齿轮箱护盖固定不牢，运转中飞出",
    "other": "标识与说明书缺少警示语",
}  # fmt: skip
EVIDENCE = "整改后送检合格，检测报告编号 JH{:08d}；抽样 {} 件复核无异常"


@dataclass(frozen=True)
class Call:
    name: str
    run: Callable[..., Awaitable[object]]


# --- filling -------------------------------------------------------------------------------


def _rand_id(rng: random.Random, prefix: str) -> str:
    """As long as the product's ids (prefix + 26 characters) and as random (derived_id)."""
    return f"{prefix}_{rng.getrandbits(104):026X}"


def _credit_code(rng: random.Random, region: str) -> str:
    first17 = (
        "91" + region + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    )
    return first17 + credit_code_check_char(first17)


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _days_to_eliminate(rng: random.Random) -> float:
    """Mostly weeks, a long tail of months: log-normal, median about 18 days."""
    return round(min(rng.lognormvariate(math.log(18), 0.9), 540.0), 4)


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """total split over parts, skewed (some cases have many hazards, most a few dozen)."""
    weights = [rng.lognormvariate(0, 0.8) for _ in range(parts)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in rng.sample(range(parts), total - sum(counts)):
        counts[i] += 1
    return counts


@dataclass
class Filled:
    counts: dict[str, int]
    seconds: float
    copy_seconds: float
    analyze_seconds: float


async def fill(
    conn: asyncpg.Connection, n_cases: int, n_hazards: int, seed: int, now: datetime
) -> Filled:
    rng = random.Random(seed)
    started = time.perf_counter()
    counts: dict[str, int] = {}
    # The rows are consistent by construction; skipping the per-row foreign-key triggers makes
    # COPY several times faster (the schema and its indexes are exactly the migrated ones).
    await conn.execute("SET session_replication_role = replica")

    async def copy(table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        await conn.copy_records_to_table(table, records=rows, columns=list(columns))
        counts[table] = counts.get(table, 0) + len(rows)

    await copy(
        "regions", ("code", "name", "created_at"), [(code, name, now) for code, name in REGIONS]
    )
    await copy(
        "industries",
        ("code", "name", "name_en", "keywords", "created_at"),
        [(code, name, en, "[]", now) for code, name, en, *_ in INDUSTRIES],
    )

    # a few hundred enterprises, each in one industry, in that industry's usual districts
    enterprises: dict[str, list[tuple[str, str]]] = {code: [] for code, *_ in INDUSTRIES}
    ent_rows = []
    for i in range(360):
        code, _, _, share, places = INDUSTRIES[i % len(INDUSTRIES)]
        region = _weighted(rng, places)
        eid = _rand_id(rng, "ent")
        enterprises[code].append((eid, region))
        ent_rows.append(
            (
                eid,
                f"金华{region}{code}企业{i:03d}有限公司",
                _credit_code(rng, region),
                region,
                code,
                rng.randint(20, 1500),
                now - timedelta(days=800),
            )
        )
    await copy(
        "enterprises",
        ("id", "name", "credit_code", "region_code", "industry_code", "employees", "created_at"),
        ent_rows,
    )

    # cases: stage first, then an age that fits the stage
    industry_weights = {code: share for code, _, _, share, _ in INDUSTRIES}
    stage_names = [s[0] for s in CASE_STAGES]
    stage_weights = [s[1] for s in CASE_STAGES]
    stage_info = {s[0]: s for s in CASE_STAGES}
    cases = []  # (id, stage, industry, region, enterprise ids, opened_at)
    case_rows, case_ent_rows = [], []
    for i in range(n_cases):
        stage = rng.choices(stage_names, weights=stage_weights)[0]
        low, high = stage_info[stage][2]
        opened = now - timedelta(days=rng.uniform(low, high))
        industry = _weighted(rng, industry_weights)
        ents = rng.sample(enterprises[industry], rng.choice((1, 1, 1, 2, 3)))
        region = ents[0][1]
        cid = _rand_id(rng, "case")
        overdue = stage not in DONE_STAGES and stage != "reported" and rng.random() < 0.18
        ent_ids = [e for e, _ in ents]
        cases.append((cid, stage, industry, region, ent_ids, opened))
        case_rows.append(
            (
                cid,
                f"RC-{(opened + CST_OFFSET).year}-{i + 1:06d}",
                f"{industry} 缺陷召回 {i + 1}",
                stage,
                industry,
                region,
                _json(ent_ids),
                "[]",
                None,
                None,
                None,
                None,
                None,
                None,
                overdue,
                '["progress_report"]' if overdue else "[]",
                None,
                f"case-{cid}",
                rng.randint(3, 40),
                "bench",
                opened,
                opened + timedelta(days=rng.uniform(0, 20)),
            )
        )
        case_ent_rows.extend((cid, e) for e in ent_ids)
    case_columns = (
        "id",
        "number",
        "title",
        "stage",
        "industry_code",
        "region_code",
        "enterprise_ids",
        "defect_report_ids",
        "risk",
        "decision",
        "decision_reason",
        "plan",
        "units_corrected",
        "correction_rate",
        "overdue",
        "overdue_items",
        "programme_id",
        "workflow_id",
        "version",
        "created_by",
        "created_at",
        "updated_at",
    )
    # a third of the cases belong to a programme of their industry (set below)
    programme_of_case: dict[str, str] = {}

    # the industry chain: programmes per industry with their regions and members
    stages = (*PROGRAMME_STAGES, "completed")
    programmes = []  # (id, industry)
    prog_rows, prog_region_rows, member_rows = [], [], []
    by_industry: dict[str, list[str]] = {code: [] for code, *_ in INDUSTRIES}
    for i in range(300):
        industry = _weighted(rng, industry_weights)
        pid = _rand_id(rng, "prog")
        by_industry[industry].append(pid)
        programmes.append((pid, industry))
        started_at = now - timedelta(days=rng.uniform(30, 760))
        places = rng.sample([code for code, _ in REGIONS], rng.choice((1, 1, 2, 3)))
        prog_rows.append(
            (
                pid,
                f"{industry} 产业提升项目 {i + 1}",
                industry,
                rng.choice(stages),
                started_at + timedelta(days=rng.uniform(0, 30)),
                "[]",
                "[]",
                "[]",
                "[]",
                "[]",
                _json(places),
                f"programme-{pid}",
                rng.randint(1, 60),
                "bench",
                started_at,
                started_at,
            )
        )
        prog_region_rows.extend((pid, region) for region in places)
    for cid, _, industry, _, _, _ in cases:
        if by_industry[industry] and rng.random() < 0.33:
            pid = rng.choice(by_industry[industry])
            programme_of_case[cid] = pid
            member_rows.append((pid, "case", cid))
    case_rows = [row[:16] + (programme_of_case.get(row[0]),) + row[17:] for row in case_rows]

    def when(low: float, high: float) -> datetime:
        return now - timedelta(days=rng.uniform(low, high))

    assoc_rows = []
    assoc_statuses = {"proposed": 1, "preparing": 2, "charter_adopted": 2, "registered": 6}
    for i in range(240):
        pid, industry = rng.choice(programmes)
        aid = _rand_id(rng, "assoc")
        status = _weighted(rng, assoc_statuses)
        registered = when(1, 730) if status == "registered" else None
        created = (registered or now) - timedelta(days=rng.uniform(20, 200))
        assoc_rows.append(
            (
                aid,
                f"金华市{industry}行业协会 {i + 1}",
                status,
                "[]",
                _json([pid]),
                "[]",
                f"51330700MJ{i:08d}" if registered else None,
                registered,
                f"association-{aid}",
                rng.randint(1, 20),
                "bench",
                created,
                created,
            )
        )
        member_rows.append((pid, "association", aid))
    std_rows = []
    kinds = {"group": 6, "industry": 2, "zhejiang_made": 4, "local": 2, "national": 1}
    std_stages = {"20.00": 2, "40.20": 1, "50.20": 1, "50.60": 1, "60.60": 6}
    for i in range(420):
        pid, industry = rng.choice(programmes)
        sid = _rand_id(rng, "std")
        stage_code = _weighted(rng, std_stages)
        published = when(1, 730) if stage_code == "60.60" else None
        created = (published or now) - timedelta(days=rng.uniform(60, 300))
        std_rows.append(
            (
                sid,
                pid,
                f"T/JH {industry} {i + 1}",
                _weighted(rng, kinds),
                None,
                stage_code,
                "[]",
                30.0,
                None,
                None,
                published,
                f"standard-{sid}",
                rng.randint(1, 30),
                "bench",
                created,
                created,
            )
        )
        member_rows.append((pid, "standard", sid))
    cult_rows = []
    cult_stages = {
        "enrolled": 2,
        "diagnosed": 2,
        "improving": 3,
        "certification_applied": 1,
        "certified": 3,
        "labelled": 2,
    }
    for _ in range(520):
        pid, industry = rng.choice(programmes)
        bid = _rand_id(rng, "cult")
        eid = rng.choice(enterprises[industry])[0]
        stage = _weighted(rng, cult_stages)
        certified = when(1, 730) if stage in ("certified", "labelled") else None
        created = (certified or now) - timedelta(days=rng.uniform(90, 300))
        cult_rows.append(
            (
                bid,
                pid,
                eid,
                rng.choice(("A", "B", "C")),
                stage,
                f"ZJM-{bid[-8:]}" if certified else None,
                certified,
                f"cultivation-{bid}",
                rng.randint(1, 20),
                "bench",
                created,
                created,
            )
        )
        member_rows.append((pid, "cultivation", bid))

    await copy("cases", case_columns, case_rows)
    await copy("case_enterprises", ("case_id", "enterprise_id"), case_ent_rows)
    await copy(
        "programmes",
        (
            "id",
            "title",
            "industry_code",
            "stage",
            "stage_since",
            "stages",
            "case_ids",
            "association_ids",
            "standard_ids",
            "cultivation_ids",
            "region_codes",
            "workflow_id",
            "version",
            "created_by",
            "created_at",
            "updated_at",
        ),
        prog_rows,
    )
    await copy("programme_regions", ("programme_id", "region_code"), prog_region_rows)
    await copy("programme_members", ("programme_id", "kind", "member_id"), member_rows)
    await copy(
        "associations",
        (
            "id",
            "name",
            "status",
            "founding_enterprise_ids",
            "programme_ids",
            "region_codes",
            "registration_no",
            "registered_at",
            "workflow_id",
            "version",
            "created_by",
            "created_at",
            "updated_at",
        ),
        assoc_rows,
    )
    await copy(
        "standards",
        (
            "id",
            "programme_id",
            "title",
            "kind",
            "drafting_association_id",
            "stage_code",
            "drafters",
            "comment_period_days",
            "comment_period_ends_at",
            "ballot",
            "published_at",
            "workflow_id",
            "version",
            "created_by",
            "created_at",
            "updated_at",
        ),
        std_rows,
    )
    await copy(
        "brand_cultivations",
        (
            "id",
            "programme_id",
            "enterprise_id",
            "tier",
            "stage",
            "certificate_no",
            "certified_at",
            "workflow_id",
            "version",
            "created_by",
            "created_at",
            "updated_at",
        ),
        cult_rows,
    )

    hazard_columns = (
        "id",
        "case_id",
        "enterprise_id",
        "category",
        "description",
        "status",
        "evidence",
        "evidence_refs",
        "identified_at",
        "eliminated_at",
        "verified_at",
        "version",
        "industry_code",
        "region_code",
        "days_to_eliminate",
    )
    copy_started = time.perf_counter()
    batch: list[tuple] = []
    for row in _hazards(rng, cases, _split(rng, n_hazards, len(cases)), now):
        batch.append(row)
        if len(batch) == 50_000:
            await copy("hazards", hazard_columns, batch)
            batch = []
    if batch:
        await copy("hazards", hazard_columns, batch)
    copy_seconds = time.perf_counter() - copy_started
    await conn.execute("RESET session_replication_role")

    analyze_started = time.perf_counter()
    await conn.execute("VACUUM (ANALYZE)")  # also sets the visibility map: index-only scans
    analyze_seconds = time.perf_counter() - analyze_started
    return Filled(counts, time.perf_counter() - started, copy_seconds, analyze_seconds)


def _hazards(rng: random.Random, cases: list, per_case: list[int], now: datetime) -> Iterator:
    categories = list(CATEGORY_WEIGHTS)
    category_weights = list(CATEGORY_WEIGHTS.values())
    stage_info = {s[0]: s for s in CASE_STAGES}
    for (cid, stage, industry, region, ent_ids, opened), n in zip(cases, per_case, strict=True):
        share = stage_info[stage][3]
        done = stage in DONE_STAGES
        for category in rng.choices(categories, weights=category_weights, k=n):
            identified = opened + timedelta(days=rng.expovariate(1 / 6))
            if identified > now:
                identified = now - timedelta(minutes=rng.uniform(1, 600))
            eliminated_at = verified_at = days = evidence = None
            status = "reopened" if rng.random() < 0.08 else "identified"
            refs = "[]"
            if done or rng.random() < share:
                days = _days_to_eliminate(rng)
                eliminated_at = identified + timedelta(days=days)
                if eliminated_at > now:  # not yet: still open, or squeezed in if the case is done
                    if done:  # between being found and now, as the projection counts days
                        eliminated_at = identified + (now - identified) * rng.random()
                        days = round((eliminated_at - identified).total_seconds() / 86400, 4)
                    else:
                        eliminated_at = days = None
                if eliminated_at is not None:
                    status = "verified" if done or rng.random() < 0.4 else "eliminated"
                    evidence = EVIDENCE.format(rng.randrange(10**8), rng.randint(3, 50))
                    refs = f'["file_{rng.getrandbits(64):016X}"]'
                    if status == "verified":
                        verified_at = min(eliminated_at + timedelta(days=rng.uniform(1, 20)), now)
            yield (
                _rand_id(rng, "hz"),
                cid,
                rng.choice(ent_ids),
                category,
                HAZARD_TEXT[category],
                status,
                evidence,
                refs,
                identified,
                eliminated_at,
                verified_at,
                rng.randint(1, 30),
                industry,
                region,
                days,
            )


def _json(values: list[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


# --- timing ---------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def calls(region: str, industry: str, start: str, end: str) -> list[Call]:
    everything = parse_filter(None, None, None, None)
    by_region = parse_filter(region, None, None, None)
    by_industry = parse_filter(None, industry, None, None)
    window = parse_filter(None, None, start, end)
    out = [
        Call("summary", lambda s: service.summary(s, everything)),
        Call(f"summary region={region}", lambda s: service.summary(s, by_region)),
        Call(f"summary industry={industry}", lambda s: service.summary(s, by_industry)),
        Call(f"summary {start}..{end}", lambda s: service.summary(s, window)),
    ]
    for group in service.GROUPINGS:
        out.append(
            Call(f"hazards by {group}", lambda s, g=group: service.hazards_by(s, g, everything))
        )
        out.append(
            Call(
                f"hazards by {group} industry={industry}",
                lambda s, g=group: service.hazards_by(s, g, by_industry),
            )
        )
    return out


async def time_calls(sessionmaker, todo: list[Call], repeat: int) -> list[tuple[str, list]]:
    results = []
    for call in todo:
        async with sessionmaker() as session:  # warm-up
            await call.run(session)
        samples = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            async with sessionmaker() as session:
                await call.run(session)
            samples.append((time.perf_counter() - t0) * 1000)
        results.append((call.name, samples))
    return results


def print_table(results: list[tuple[str, list]]) -> None:
    width = max(len(name) for name, _ in results)
    print(
        f"{'call':<{width}}  {'p50 ms':>8}  {'p95 ms':>8}  {'max ms':>8}  {'min ms':>8}  "
        f"< {AIM_MS:.0f} ms"
    )
    for name, samples in results:
        p50, p95, top = percentile(samples, 50), percentile(samples, 95), max(samples)
        print(
            f"{name:<{width}}  {p50:8.1f}  {p95:8.1f}  {top:8.1f}  {min(samples):8.1f}  "
            f"{'yes' if p95 < AIM_MS else 'NO'}"
        )
    over = [name for name, samples in results if percentile(samples, 95) >= AIM_MS]
    print(
        f"\n{len(results) - len(over)} of {len(results)} calls under {AIM_MS:.0f} ms at p95"
        + (f"; over: {', '.join(over)}" if over else "")
    )


async def explain(engine, sessionmaker, raw: asyncpg.Connection, todo: list[Call]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of each statement the calls send, with its own time."""
    for call in todo:
        seen = await statements_of(engine, sessionmaker, call.run)
        print(f"\n=== {call.name}: {len(seen)} statements")
        for statement, params in seen:
            rows = await raw.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", *params)
            print(f"\n--- {' '.join(statement.split())}\n    params {params}")
            print("\n".join("    " + r[0] for r in rows))


async def summary_against_sql(
    engine, sessionmaker, raw: asyncpg.Connection, repeat: int
) -> tuple[list[float], list[float], int]:
    """The unfiltered summary() through a new session, as a request makes it, next to the very
    statements it sends (captured once: text and parameters) sent in turn on a raw asyncpg
    connection in one transaction, each result fetched: the floor, what the SQL alone costs.
    Runs alternate, so that load from elsewhere falls on both alike. Samples in ms."""
    everything = parse_filter(None, None, None, None)
    seen = await statements_of(
        engine, sessionmaker, lambda session: service.summary(session, everything)
    )

    async def product() -> None:
        async with sessionmaker() as session:
            await service.summary(session, everything)

    async def bare() -> None:
        async with raw.transaction():
            for statement, params in seen:
                await raw.fetch(statement, *params)

    samples: dict = {product: [], bare: []}
    for run in (product, bare):  # warm-up: prepared statements on both connections
        await run()
    for _ in range(repeat):
        for run in (product, bare):
            t0 = time.perf_counter()
            await run()
            samples[run].append((time.perf_counter() - t0) * 1000)
    return samples[product], samples[bare], len(seen)


# --- main -----------------------------------------------------------------------------------


async def main(args: argparse.Namespace) -> int:
    async with bench_database(args.pg_url, args.database, args.keep, print) as db:
        server, name, url, created = db.server, db.name, db.url, db.created
        print(f"database {name} on {server}")
        engine = create_engine(url)
        try:
            t0 = time.perf_counter()
            await migrate.upgrade(engine)
            print(f"migrated to head in {time.perf_counter() - t0:.1f} s")
            raw = await asyncpg.connect(f"{server}/{name}")
            try:
                now = datetime.now(UTC).replace(microsecond=0)
                if created:
                    filled = await fill(raw, args.cases, args.hazards, args.seed, now)
                    print(
                        f"filled in {filled.seconds:.1f} s (hazards COPY "
                        f"{filled.copy_seconds:.1f} s, VACUUM ANALYZE "
                        f"{filled.analyze_seconds:.1f} s)"
                    )
                else:
                    t0 = time.perf_counter()
                    await raw.execute("VACUUM (ANALYZE)")
                    print(f"reused; VACUUM ANALYZE in {time.perf_counter() - t0:.1f} s")
                rows = {}
                for table in (
                    "regions",
                    "industries",
                    "enterprises",
                    "cases",
                    "hazards",
                    "programmes",
                    "programme_regions",
                    "programme_members",
                    "associations",
                    "standards",
                    "brand_cultivations",
                ):
                    rows[table] = await raw.fetchval(f"SELECT count(*) FROM {table}")
                print("rows: " + ", ".join(f"{t} {n:,}" for t, n in rows.items()))
                size = await raw.fetchval(
                    "SELECT pg_size_pretty(pg_total_relation_size('hazards'))"
                )
                print(f"hazards table with its indexes: {size}")

                region, industry = "330784", "magnetic-toys"
                end_day = (now + CST_OFFSET).date()
                start_day = end_day - timedelta(days=91)
                todo = calls(region, industry, start_day.isoformat(), end_day.isoformat())
                sessionmaker = create_sessionmaker(engine)
                async with sessionmaker() as session:
                    figures = await service.summary(session, parse_filter(None, None, None, None))
                print(f"summary: {figures}")
                print(f"\n{len(todo)} calls, {args.repeat} times each after one warm-up\n")
                load = os.getloadavg()
                results = await time_calls(sessionmaker, todo, args.repeat)
                print_table(results)
                mine, floor, statements = await summary_against_sql(
                    engine, sessionmaker, raw, args.repeat
                )
                ratio = percentile(mine, 50) / percentile(floor, 50)
                print(
                    f"\nsummary() p50 {percentile(mine, 50):.1f} ms against its {statements} "
                    f"statements on a raw asyncpg connection p50 {percentile(floor, 50):.1f} ms: "
                    f"{ratio:.2f}x (aim at most {AIM_SQL_RATIO}x: "
                    f"{'met' if ratio <= AIM_SQL_RATIO else 'not met'})"
                )
                # a shared machine: what else ran meanwhile shows in the load average
                print(
                    f"load average (1 min) {load[0]:.2f} before timing, "
                    f"{os.getloadavg()[0]:.2f} after, on {os.cpu_count()} CPUs"
                )
                if args.explain:
                    await explain(engine, sessionmaker, raw, todo)
                headline = headline_figures(results, mine, floor, statements, rows["hazards"])
            finally:
                await raw.close()
        finally:
            await engine.dispose()
    print(json.dumps(headline))
    return 0


def headline_figures(
    results: list[tuple[str, list]], mine: list, floor: list, statements: int, hazards: int
) -> dict:
    """The JSON line: every call's p50 and p95 against the 100 ms aim (ratio: p95 / aim), and
    the summary against its floor, the bare SQL it sends (ratio: p50 / floor p50)."""
    return {
        "bench": "dashboard",
        "hazards": hazards,
        "calls": {
            name: {
                "p50_ms": round(percentile(samples, 50), 2),
                "p95_ms": round(percentile(samples, 95), 2),
                "aim_ms": AIM_MS,
                "ratio": round(percentile(samples, 95) / AIM_MS, 3),
            }
            for name, samples in results
        },
        "under_aim": sum(percentile(samples, 95) < AIM_MS for _, samples in results),
        "summary_ms": round(percentile(mine, 50), 2),
        "summary_bare_sql_ms": round(percentile(floor, 50), 2),
        "summary_statements": statements,
        "summary_ratio": round(percentile(mine, 50) / percentile(floor, 50), 3),
        "summary_ratio_aim": AIM_SQL_RATIO,
    }


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--hazards", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", help="reuse this filled database (never dropped)")
    parser.add_argument(
        "--explain", action="store_true", help="print EXPLAIN (ANALYZE, BUFFERS) of every statement"
    )
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
