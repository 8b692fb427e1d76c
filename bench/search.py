"""Text search (`q=`) over defect reports and cases at one million reports on PostgreSQL.

    python bench/search.py [--reports 1000000] [--cases 20000] [--repeat 20] [--keep]
                           [--pg-url postgresql://postgres@127.0.0.1:5432]
                           [--database NAME] [--explain] [--seed 7]

Creates a fresh database recall_bench_<random>, migrates it with the project's migrations to the
revision before the text search indexes (e02ed0b5ec7b), fills it with COPY (defect reports in
English, Chinese and both, from the CPSC and openFDA captures of tests/data and a Chinese
vocabulary; cases), then upgrades to head, so that the search indexes are built over the filled
tables as a production upgrade builds them (timed), and runs VACUUM ANALYZE.

Then times the product's own list functions through a real AsyncSession, each call --repeat
times after one warm-up (p50, p95, max): recall.reports.service.list_reports and
recall.cases.service.list_cases with q= a common and a rare English word, Chinese of 1, 2 and 4
characters (common and rare), a q that matches nothing, a q with `%` and `_`, and a q with a
filter; a regulator (regions) as well as an admin. The floor, in the same run: the same listing
without q. Also lists the 5 newest reports, whose product and description are as long as the
API allows. Prints a table and ends with one JSON line of headline figures.

--database NAME reuses a database kept by an earlier run (--keep): it is upgraded to head when
the migrations know its revision, analysed and timed, and never dropped. Timing the code of an
older commit on a database filled by this one gives a "before" figure:
    PYTHONPATH=/tmp/before python bench/search.py --database recall_bench_xxx
--explain also prints EXPLAIN (ANALYZE, BUFFERS) of the search statements. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from _database import bench_database
from _statements import statements_of

from recall import migrate
from recall.auth.principal import Principal
from recall.cases import service as cases
from recall.db import create_engine, create_sessionmaker
from recall.reports import service as reports
from recall.rules.limits import NAME, TEXT

AIM_MS = 50.0
BEFORE_SEARCH = "e02ed0b5ec7b"  # the revision before the text search indexes
DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
LIMIT = 50  # the API's default page

REGIONS = (
    ("330702", "婺城区"), ("330703", "金东区"), ("330723", "武义县"), ("330726", "浦江县"),
    ("330727", "磐安县"), ("330781", "兰溪市"), ("330782", "义乌市"), ("330783", "东阳市"),
    ("330784", "永康市"),
)  # fmt: skip
INDUSTRIES = (
    ("magnetic-toys", "磁力玩具"), ("vacuum-flasks", "保温杯"), ("e-bikes", "电动自行车"),
    ("childrens-clothing", "儿童服装"), ("electric-garden-tools", "电动园林工具"),
    ("hardware", "五金"), ("household-appliances", "家用电器"),
)  # fmt: skip
SOURCES = (
    "consumer_complaint", "sampling_inspection", "enterprise_self_report", "injury_report",
    "media", "overseas_recall",
)  # fmt: skip

# Chinese products and what goes wrong with them, put together into reports.
PRODUCTS_ZH = (
    "磁力珠玩具", "巴克球", "电动自行车", "儿童服装", "保温杯", "电动园林工具", "儿童安全座椅",
    "充电宝", "电热毯", "婴儿推车", "塑料积木", "电吹风", "插线板", "燃气灶", "滑板车", "平衡车",
    "学步车", "奶瓶", "婴儿床", "骑行头盔", "锂电池组", "电动牙刷", "儿童雨衣", "毛绒玩具",
    "割草机", "电链锯", "不锈钢保温壶", "儿童水杯", "电烤箱", "空气炸锅",
)  # fmt: skip
DEFECTS_ZH = (
    "强磁体直径小于小零件圆筒，儿童吞食多颗后可致肠穿孔", "电池组无过充保护，充电过程中起火",
    "保温层失效，外壁温度超过限值，握持烫伤", "小零件在拉力试验后脱落，可致三岁以下儿童窒息",
    "电源线绝缘层厚度不足，潮湿环境下漏电", "刀片护罩强度不足，跌落后刀片外露",
    "内胆涂层迁移物超标，长期使用有害健康", "折叠机构无锁止，手指可能被夹",
    "头盔系带强度不足，冲击时脱落", "拉绳长度超过二百二十毫米，有勒颈风险",
    "包装袋厚度不足且无透气孔", "齿轮箱护盖固定不牢，运转中飞出", "标识与说明书缺少警示语",
    "刹车距离超出标准要求，下坡时制动失效", "控制器进水后短路冒烟", "面料甲醛含量超标",
    "绳带过长，存在缠绕风险", "纽扣附着力不足，易被儿童误吞",
)  # fmt: skip
WHO_ZH = ("消费者投诉", "市场监管抽查", "医院伤害监测", "媒体报道", "企业自查", "网络舆情")
# Rare on purpose: they find a few dozen reports among a million.
RARE_EN = "quixotic"
RARE_ZH_2 = "榫卯"
RARE_ZH_1 = "鼗"
RARE_EVERY = 20_000


@dataclass(frozen=True)
class Call:
    name: str
    run: Callable[..., Awaitable[tuple]]
    floor: str | None = None  # the name of the call without q that this one is compared with


def _captures() -> tuple[list[str], list[str]]:
    """English products and descriptions from the saved CPSC and openFDA responses."""
    products, descriptions = [], []
    for record in json.loads((DATA / "cpsc-recalls-2025-10_2026-04.json").read_text()):
        products.append(record.get("Title") or "")
        descriptions.append(record.get("Description") or "")
    document = json.loads((DATA / "openfda-enforcement-2026-01_04.json").read_text())
    for record in document.get("results", document) if isinstance(document, dict) else document:
        products.append((record.get("product_description") or "")[:300])
        descriptions.append(record.get("reason_for_recall") or "")
    return [p for p in products if p], [d for d in descriptions if d]


def _report_text(rng: random.Random, i: int, en: tuple[list[str], list[str]]) -> tuple[str, str]:
    """A product and a description: Chinese (half), English (two in five) or both."""
    kind = rng.random()
    batch = f"{rng.choice('ABCDEFGHJK')}{rng.randrange(10**6):06d}"
    if kind < 0.5:
        product = rng.choice(PRODUCTS_ZH)
        description = (
            f"{rng.choice(WHO_ZH)}：{product}（批次 {batch}）{rng.choice(DEFECTS_ZH)}。"
            f"{rng.choice(DEFECTS_ZH) if rng.random() < 0.3 else ''}"
        )
    elif kind < 0.9:
        product = f"{rng.choice(en[0])} model {batch}"
        description = rng.choice(en[1])
    else:
        zh = rng.choice(PRODUCTS_ZH)
        product = f"{zh} {rng.choice(en[0])[:60]}"
        description = f"{rng.choice(DEFECTS_ZH)}。{rng.choice(en[1])[:200]}"
    if i % RARE_EVERY == 7:
        description += f" A {RARE_EN} design."
    if i % RARE_EVERY == 11:
        description += f"采用{RARE_ZH_2}结构。"
    if i % RARE_EVERY == 13:
        description += f"{RARE_ZH_1}形摇铃。"
    return product, description


@dataclass
class Filled:
    seconds: float
    migrate_seconds: float
    analyze_seconds: float


async def fill(conn: asyncpg.Connection, n_reports: int, n_cases: int, seed: int) -> Filled:
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    en = _captures()
    await conn.execute("SET session_replication_role = replica")  # no per-row FK triggers

    async def copy(table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        await conn.copy_records_to_table(table, records=rows, columns=list(columns))

    await copy("regions", ("code", "name", "created_at"), [(c, n, now) for c, n in REGIONS])
    await copy(
        "industries",
        ("code", "name", "name_en", "keywords", "created_at"),
        [(code, name, code, "[]", now) for code, name in INDUSTRIES],
    )
    columns = (
        "id", "source", "product", "description", "industry_code", "region_code",
        "enterprise_ids", "hazard_category", "received_at", "case_id", "created_by", "created_at",
    )  # fmt: skip
    batch: list[tuple] = []
    for i in range(n_reports):
        product, description = _report_text(rng, i, en)
        created = now - timedelta(seconds=(n_reports - i) * 30 + rng.random())
        overseas = rng.random() < 0.1
        batch.append(
            (
                f"dr_{rng.getrandbits(104):026X}",
                "overseas_recall" if overseas else rng.choice(SOURCES[:5]),
                product,
                description,
                rng.choice(INDUSTRIES)[0],
                None if overseas else rng.choice(REGIONS)[0],
                "[]",
                None,
                created,
                None,
                "bench",
                created,
            )
        )
        if len(batch) == 50_000:
            await copy("defect_reports", columns, batch)
            batch = []
            print(f"  {i + 1:,} reports", file=sys.stderr)
    # the newest five: product and description as long as the API allows
    for k in range(5):
        moment = now + timedelta(seconds=k + 1)
        batch.append(
            (
                f"dr_LONGEST{k:017d}",
                "media",
                "磁" * NAME,
                ("磁力珠玩具" * TEXT)[:TEXT],
                INDUSTRIES[0][0],
                REGIONS[0][0],
                "[]",
                None,
                moment,
                None,
                "bench",
                moment,
            )
        )
    await copy("defect_reports", columns, batch)
    case_columns = (
        "id", "number", "title", "stage", "industry_code", "region_code", "enterprise_ids",
        "defect_report_ids", "overdue", "overdue_items", "workflow_id", "version", "created_by",
        "created_at", "updated_at",
    )  # fmt: skip
    case_rows = []
    for i in range(n_cases):
        opened = now - timedelta(minutes=(n_cases - i) * 40)
        title = rng.choice(PRODUCTS_ZH) if rng.random() < 0.6 else rng.choice(en[0])
        case_rows.append(
            (
                f"case_{rng.getrandbits(104):026X}",
                f"RC-{opened.year}-{i + 1:06d}",
                title[:500],
                rng.choice(("reported", "assessed", "remediating", "closed")),
                rng.choice(INDUSTRIES)[0],
                rng.choice(REGIONS)[0],
                "[]",
                "[]",
                False,
                "[]",
                f"case-{i}",
                1,
                "bench",
                opened,
                opened,
            )
        )
    await copy("cases", case_columns, case_rows)
    await conn.execute("RESET session_replication_role")
    return Filled(time.perf_counter() - started, 0.0, 0.0)


# --- timing ---------------------------------------------------------------------------------

ADMIN = Principal(name="bench")
REGULATOR = Principal(name="bench-regulator", role="regulator", regions=("330782", "330784"))


def _reports(q: str | None, principal: Principal = ADMIN, limit: int = LIMIT, **filters):
    async def run(session) -> tuple:
        return await reports.list_reports(
            session=session,
            principal=principal,
            source=filters.get("source"),
            industry=filters.get("industry"),
            region=filters.get("region"),
            q=q,
            limit=limit,
            cursor=None,
        )

    return run


def _cases(q: str | None, principal: Principal = ADMIN, **filters):
    async def run(session) -> tuple:
        return await cases.list_cases(
            session=session,
            principal=principal,
            stage=filters.get("stage"),
            industry=None,
            region=None,
            overdue=None,
            q=q,
            limit=LIMIT,
            cursor=None,
        )

    return run


def calls() -> list[Call]:
    floor, regional, filtered = "reports", "reports as a regulator", "reports region=330782"
    searches = [
        ("magnet", "English, common"),
        ("battery", "English, common"),
        (RARE_EN, "English, rare"),
        ("e", "one letter, in nearly every report"),
        ("磁", "Chinese, 1 character"),
        (RARE_ZH_1, "Chinese, 1 character, rare"),
        ("玩具", "Chinese, 2 characters"),
        (RARE_ZH_2, "Chinese, 2 characters, rare"),
        ("儿童服装", "Chinese, 4 characters"),
        ("zzqxw", "no match"),
        ("磁铁玩", "Chinese, no match"),
        ("MAGNET", "upper case"),
        ("50%_off", "% and _, no match"),
    ]
    out = [
        Call(floor, _reports(None)),
        Call(regional, _reports(None, REGULATOR)),
        Call(filtered, _reports(None, region="330782")),
    ]
    for q, what in searches:
        out.append(Call(f"reports q={q} ({what})", _reports(q), floor))
    out += [
        Call("reports q=magnet region=330782", _reports("magnet", region="330782"), filtered),
        Call("reports q=玩具 region=330782", _reports("玩具", region="330782"), filtered),
        Call("reports q=e region=330782", _reports("e", region="330782"), filtered),
        Call(
            f"reports q={RARE_ZH_2} region=330782", _reports(RARE_ZH_2, region="330782"), filtered
        ),
        Call("reports q=磁 as a regulator", _reports("磁", REGULATOR), regional),
        Call(f"reports q={RARE_EN} as a regulator", _reports(RARE_EN, REGULATOR), regional),
        Call("reports, the 5 newest at the longest", _reports(None, limit=5)),
        Call("cases", _cases(None)),
        Call("cases q=RC-2026-019", _cases("RC-2026-019"), "cases"),
        Call("cases q=玩具", _cases("玩具"), "cases"),
        Call("cases q=Recalls", _cases("Recalls"), "cases"),
        Call("cases q=zzqxw", _cases("zzqxw"), "cases"),
    ]
    return out


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


async def time_calls(sessionmaker, todo: list[Call], repeat: int) -> dict[str, dict]:
    results = {}
    for call in todo:
        async with sessionmaker() as session:  # warm-up
            items, _ = await call.run(session)
        samples = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            async with sessionmaker() as session:
                await call.run(session)
            samples.append((time.perf_counter() - t0) * 1000)
        results[call.name] = {"samples": samples, "rows": len(items), "floor": call.floor}
        print(f"  {call.name}: p50 {percentile(samples, 50):.1f} ms", file=sys.stderr)
    return results


def print_table(results: dict[str, dict]) -> None:
    width = max(len(name) for name in results)
    print(
        f"{'call':<{width}}  {'rows':>4}  {'p50 ms':>8}  {'p95 ms':>8}  {'max ms':>8}  "
        f"{'floor p50':>9}  {'ratio':>6}  < {AIM_MS:.0f} ms"
    )
    for name, r in results.items():
        p50, p95 = percentile(r["samples"], 50), percentile(r["samples"], 95)
        floor = percentile(results[r["floor"]]["samples"], 50) if r["floor"] else None
        ratio = f"{p50 / floor:6.1f}" if floor else f"{'':>6}"
        print(
            f"{name:<{width}}  {r['rows']:>4}  {p50:8.1f}  {p95:8.1f}  {max(r['samples']):8.1f}  "
            f"{(f'{floor:9.1f}' if floor else ''):>9}  {ratio}  {'yes' if p95 < AIM_MS else 'NO'}"
        )
    searches = [n for n, r in results.items() if r["floor"]]
    over = [n for n in searches if percentile(results[n]["samples"], 95) >= AIM_MS]
    print(
        f"\n{len(searches) - len(over)} of {len(searches)} searches under {AIM_MS:.0f} ms at p95"
        + (f"; over: {', '.join(over)}" if over else "")
    )


async def explain(engine, sessionmaker, raw: asyncpg.Connection, todo: list[Call]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the statements each search sends (as a custom plan)."""
    for call in todo:
        for statement, params in await statements_of(engine, sessionmaker, call.run):
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            await raw.execute("SET plan_cache_mode = force_custom_plan")
            await raw.execute("SET max_parallel_workers_per_gather = 0")
            rows = await raw.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", *params)
            print(f"\n=== {call.name}\n    params {params}")
            print("\n".join("    " + r[0] for r in rows))


def headline(results: dict[str, dict], reports_n: int, filled: dict) -> dict:
    def p(name: str, q: float = 95) -> float:
        return round(percentile(results[name]["samples"], q), 2)

    searches = [n for n, r in results.items() if r["floor"] and n.startswith("reports")]
    worst = max(searches, key=lambda n: p(n))
    floor = p("reports", 50)
    return {
        "bench": "search",
        "reports": reports_n,
        "aim_ms": AIM_MS,
        "search_p95_ms_max": p(worst),
        "search_worst": worst,
        "search_p50_ms_median": round(sorted(p(n, 50) for n in searches)[len(searches) // 2], 2),
        "floor_p50_ms": floor,
        "ratio_worst_p95_to_floor_p50": round(p(worst) / floor, 1) if floor else None,
        "latin_rare_p95_ms": p(f"reports q={RARE_EN} (English, rare)"),
        "chinese_1_rare_p95_ms": p(f"reports q={RARE_ZH_1} (Chinese, 1 character, rare)"),
        "chinese_2_p95_ms": p("reports q=玩具 (Chinese, 2 characters)"),
        "chinese_2_rare_p95_ms": p(f"reports q={RARE_ZH_2} (Chinese, 2 characters, rare)"),
        "chinese_4_p95_ms": p("reports q=儿童服装 (Chinese, 4 characters)"),
        "no_match_p95_ms": p("reports q=zzqxw (no match)"),
        "cases_search_p95_ms_max": max(
            p(n) for n, r in results.items() if r["floor"] and n.startswith("cases")
        ),
        "longest_5_p50_ms": p("reports, the 5 newest at the longest", 50),
        "searches_over_aim": sum(1 for n in results if results[n]["floor"] and p(n) >= AIM_MS),
        **filled,
    }


# --- main -----------------------------------------------------------------------------------


async def _upgrade(engine, revision: str = "head") -> float | None:
    """Seconds to upgrade; None if these migrations do not know the database's revision (the
    code of an older commit timed on a database filled by this one)."""
    t0 = time.perf_counter()
    try:
        await migrate.upgrade(engine, revision)
    except Exception as exc:  # alembic's CommandError, or a revision it cannot find
        if "revision" not in str(exc).lower():
            raise
        print(f"not migrated ({exc}); timed as it is", file=sys.stderr)
        return None
    return time.perf_counter() - t0


async def main(args: argparse.Namespace) -> int:
    async with bench_database(args.pg_url, args.database, args.keep, print) as db:
        server, name, url, created = db.server, db.name, db.url, db.created
        print(f"database {name} on {server}; the code of {Path(reports.__file__).parents[2]}")
        engine = create_engine(url)
        raw = await asyncpg.connect(f"{server}/{name}")
        try:
            filled: dict = {}
            if created:
                await _upgrade(engine, BEFORE_SEARCH)
                done = await fill(raw, args.reports, args.cases, args.seed)
                print(f"filled {args.reports:,} reports in {done.seconds:.1f} s")
            upgraded = await _upgrade(engine)
            if upgraded is not None:
                print(f"upgraded to head in {upgraded:.1f} s (the search indexes, if new)")
                filled["upgrade_s"] = round(upgraded, 1)
            t0 = time.perf_counter()
            await raw.execute("VACUUM (ANALYZE)")
            print(f"VACUUM ANALYZE in {time.perf_counter() - t0:.1f} s")
            n = await raw.fetchval("SELECT count(*) FROM defect_reports")
            n_cases = await raw.fetchval("SELECT count(*) FROM cases")
            sizes = await raw.fetch(
                "SELECT c.relname, pg_relation_size(c.oid) AS bytes FROM pg_class c "
                "JOIN pg_index i ON i.indexrelid = c.oid "
                "WHERE c.relname LIKE '%trgm' OR c.relname LIKE '%grams' ORDER BY 1"
            )
            table_mb = await raw.fetchval("SELECT pg_table_size('defect_reports') / 1048576")
            print(f"rows: defect_reports {n:,}, cases {n_cases:,}; reports table {table_mb} MB")
            for row in sizes:
                print(f"  index {row['relname']}: {row['bytes'] / 1048576:.0f} MB")
            filled["index_mb"] = round(sum(r["bytes"] for r in sizes) / 1048576)
            filled["table_mb"] = table_mb

            todo = calls()
            sessionmaker = create_sessionmaker(engine)
            print(f"\n{len(todo)} calls, {args.repeat} times each after one warm-up\n")
            load = os.getloadavg()
            results = await time_calls(sessionmaker, todo, args.repeat)
            print_table(results)
            print(
                f"load average (1 min) {load[0]:.2f} before timing, "
                f"{os.getloadavg()[0]:.2f} after, on {os.cpu_count()} CPUs"
            )
            if args.explain:
                await explain(engine, sessionmaker, raw, [c for c in todo if c.floor])
        finally:
            await raw.close()
            await engine.dispose()
    print(json.dumps(headline(results, n, filled), ensure_ascii=False))
    return 0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", help="reuse this filled database (never dropped)")
    parser.add_argument(
        "--explain", action="store_true", help="print EXPLAIN (ANALYZE, BUFFERS) of the searches"
    )
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


async def _until_stopped(args: argparse.Namespace) -> int:
    """main(), cancelled by SIGTERM as by Ctrl-C: its finally blocks drop the database."""
    task = asyncio.current_task()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    return await main(args)


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(_until_stopped(parse_args())))
    except KeyboardInterrupt:
        sys.exit(130)
    except asyncio.CancelledError:
        sys.exit(143)
