"""What the dashboard page shows, built once for the HTML and the CSV export alike.

Every figure comes from recall.dashboard.service (the functions behind /api/v1/dashboard), every
list of cases or programmes from the services behind /api/v1/cases and /api/v1/programmes: the page
counts nothing itself. It only labels, orders and fills empty months with zeros."""

from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from recall.auth.principal import Principal
from recall.cases.service import list_cases
from recall.dashboard import svg
from recall.dashboard.filters import CST, DashboardFilter
from recall.dashboard.i18n import Labels
from recall.programmes.service import list_programmes
from recall.reference.service import list_industries, list_regions
from recall.rules.programme_rules import STAGES as PROGRAMME_STAGES

CHAIN = (*PROGRAMME_STAGES, "completed")
LIST_LIMIT = 200  # rows of a signed-in list on the page


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    links: list[str | None] = field(default_factory=list)  # per row, for the first cell
    more: bool = False  # the list was cut at LIST_LIMIT


@dataclass
class Figure:
    key: str
    label: str
    value: int | float | None
    unit: str = ""
    parts: list[tuple[str, int]] = field(default_factory=list)
    alert: bool = False


@dataclass
class Names:
    """Display names of regions and industries (reference data, not figures)."""

    regions: dict[str, str]
    industries: dict[str, tuple[str, str | None]]

    def region(self, code: str | None) -> str:
        return self.regions.get(code or "", code or "—")

    def industry(self, code: str | None, lang: str) -> str:
        zh, en = self.industries.get(code or "", (code or "—", None))
        return (en or zh) if lang == "en" else zh


async def names(session: AsyncSession) -> Names:
    regions, _ = await list_regions(session=session, limit=500, cursor=None)
    industries, _ = await list_industries(session=session, limit=500, cursor=None)
    return Names(
        {r.code: r.name for r in regions}, {i.code: (i.name, i.name_en) for i in industries}
    )


def number(value: int | float | None) -> str:
    """As the API gives it: 12, 12.5, 12.25; None as a dash."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def when(moment: datetime | None) -> str:
    return moment.astimezone(CST).strftime("%Y-%m-%d %H:%M") if moment else ""


def _months(rows: list[dict]) -> list[dict]:
    """Every month from the first to the last that has a figure, the empty ones as zeros."""
    known = {r["key"]: r for r in rows if r["key"]}
    if not known:
        return []
    first, last = min(known), max(known)
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        key = f"{year:04d}-{month:02d}"
        out.append(known.get(key, {"key": key, "eliminated": 0, "open": 0}))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


FIGURES = (  # the headline figures of /api/v1/dashboard/summary: key, unit, amber when > 0
    ("hazards_eliminated", "unit.items", False),
    ("hazards_open", "unit.items", True),
    ("median_days_to_eliminate", "unit.days", False),
    ("associations_formed", "unit.items", False),
    ("standards_published", "unit.standards", False),
    ("brand_enterprises_certified", "unit.enterprises", False),
    ("overdue_cases", "unit.cases", True),
)


def _figures(summary: dict, t: Labels) -> list[Figure]:
    figures = []
    for key, unit, alert in FIGURES:
        value, parts = summary[key], []
        if key == "standards_published":  # by kind: the total, and each kind published
            parts = [(t.code("standard_kind_short", k), n) for k, n in value.items() if n]
            value = sum(value.values())
        figures.append(
            Figure(key, t(f"figure.{key}"), value, t(unit), parts, alert=bool(alert and value))
        )
    return figures


def _headline(summary: dict, figures: list[Figure], t: Labels) -> Table:
    table = Table(
        "headline", t("section.headline"), [t("col.code"), t("col.figure"), t("col.value")]
    )
    for f in figures:
        table.rows.append([f.key, f.label, number(f.value)])
        if f.key == "standards_published":
            for kind, n in summary["standards_published"].items():
                table.rows.append([f"standards_published.{kind}", t.code("standard_kind", kind), n])
    return table


def _grouping(key: str, rows: list[dict], label, t: Labels) -> tuple[Table, Markup]:
    title = t(f"chart.{key}")
    if key == "by_month":
        rows = _months(rows)
        columns = [t("col.month"), t("col.eliminated"), t("col.open_by_month")]
        table = Table(key, title, columns, [[r["key"], r["eliminated"], r["open"]] for r in rows])
        bars = [
            svg.Bar(
                r["key"],
                r["eliminated"],
                tooltip=f"{r['key']}: {r['eliminated']} {t('col.eliminated')}",
            )
            for r in rows
        ]
        return table, svg.column_chart(bars, title=title, empty=t("chart.empty"))
    columns = [t("col.code"), t("col.name"), t("col.eliminated"), t("col.open")]
    table = Table(
        key, title, columns, [[r["key"], label(r["key"]), r["eliminated"], r["open"]] for r in rows]
    )
    ordered = sorted(rows, key=lambda r: (-r["eliminated"], -r["open"], r["key"]))
    bars = [
        svg.Bar(
            label(r["key"]),
            r["eliminated"],
            r["open"],
            tooltip=f"{label(r['key'])}: {r['eliminated']} {t('col.eliminated')}, "
            f"{r['open']} {t('col.open')}",
        )
        for r in ordered
    ]
    return table, svg.bar_chart(bars, title=title, empty=t("chart.empty"))


def _chain(summary: dict, t: Labels) -> tuple[Table, Markup]:
    now = summary["programmes_by_stage"]
    reached = {stage: sum(now.get(s, 0) for s in CHAIN[i:]) for i, stage in enumerate(CHAIN)}
    title = t("chart.funnel")
    table = Table(
        "programmes_by_stage",
        title,
        [t("col.code"), t("col.stage"), t("col.now"), t("col.reached")],
    )
    bars = []
    for stage in CHAIN:
        name = t.code("programme_stage", stage)
        table.rows.append([stage, name, now.get(stage, 0), reached[stage]])
        bars.append(
            svg.Bar(
                name,
                reached[stage],
                now.get(stage, 0),
                tooltip=f"{name}: {t('funnel.reached', n=reached[stage])}, "
                f"{t('funnel.now', n=now.get(stage, 0))}",
            )
        )
    return table, svg.funnel(bars, title=title, now_label=t("funnel.now"))


def _cases_by_stage(summary: dict, t: Labels) -> tuple[Table, Markup]:
    title = t("chart.cases_by_stage")
    table = Table("cases_by_stage", title, [t("col.code"), t("col.stage"), t("col.count")])
    bars = []
    for stage, n in summary["cases_by_stage"].items():
        table.rows.append([stage, t.code("case_stage", stage), n])
        bars.append(svg.Bar(t.code("case_stage", stage), n))
    return table, svg.bar_chart(bars, title=title, empty=t("chart.empty"))


def percent(rate: float | None) -> str:
    return "" if rate is None else f"{rate * 100:.1f}%"


async def _my_cases(
    session: AsyncSession,
    principal: Principal,
    f: DashboardFilter,
    n: Names,
    t: Labels,
    *,
    overdue: bool | None,
) -> Table:
    """The cases GET /api/v1/cases would list for this principal, with the page's filters."""
    cases, more = await list_cases(
        session=session,
        principal=principal,
        stage=None,
        industry=f.industry,
        region=f.region,
        overdue=overdue,
        q=None,
        limit=LIST_LIMIT,
        cursor=None,
    )
    key = "overdue_cases" if overdue else "my_cases"
    table = Table(
        key,
        t("figure.overdue_cases") if overdue else t("section.my_cases"),
        [
            t("col.number"),
            t("col.title"),
            t("col.stage"),
            t("col.region"),
            t("col.industry"),
            t("col.overdue"),
            t("col.correction_rate"),
        ],
        more=bool(more),
    )
    for c in cases:
        table.rows.append(
            [
                c.number,
                c.title,
                t.code("case_stage", c.stage),
                n.region(c.region_code),
                n.industry(c.industry_code, t.lang),
                t("yes") if c.overdue else t("no"),
                percent(c.correction_rate),
            ]
        )
        table.links.append(f"/dashboard/cases/{c.id}")
    return table


async def _my_programmes(
    session: AsyncSession, principal: Principal, f: DashboardFilter, n: Names, t: Labels
) -> Table:
    """The programmes GET /api/v1/programmes would list; the region filter applied to the list."""
    programmes, more = await list_programmes(
        session=session,
        principal=principal,
        industry=f.industry,
        stage=None,
        limit=LIST_LIMIT,
        cursor=None,
    )
    table = Table(
        "my_programmes",
        t("section.my_programmes"),
        [t("col.title"), t("col.industry"), t("col.stage"), t("col.since"), t("col.cases")],
        more=bool(more),
    )
    for p in programmes:
        if f.region and f.region not in p.region_codes:
            continue
        table.rows.append(
            [
                p.title,
                n.industry(p.industry_code, t.lang),
                t.code("programme_stage", p.stage),
                when(p.stage_since),
                len(p.case_ids),
            ]
        )
        table.links.append(f"/dashboard/programmes/{p.id}")
    return table


@dataclass(frozen=True)
class Public:
    """Everything the dashboard page shows to anyone (recall.dashboard.figures.public)."""

    summary: dict
    groupings: dict[str, list[dict]]  # by service.GROUPINGS
    names: Names
    as_of: datetime  # when the oldest of these figures was counted
    sources: tuple = ()  # the cache's entries they came from


def as_of_label(moment: datetime, t: Labels) -> str:
    return t("figures.as_of", time=moment.astimezone(CST).strftime("%H:%M:%S"))


def public_part(public: Public, t: Labels) -> dict:
    """Figures, charts and tables that everyone sees, keyed as the CSV export names them."""
    n, summary = public.names, public.summary
    figures = _figures(summary, t)
    tables = {"headline": _headline(summary, figures, t)}
    charts = {}
    labels = {
        "by_industry": lambda k: n.industry(k, t.lang),
        "by_region": n.region,
        "by_category": lambda k: t.code("category", k),
        "by_month": str,
    }
    for key, label in labels.items():
        rows = public.groupings[key.removeprefix("by_")]
        tables[key], charts[key] = _grouping(key, rows, label, t)
    tables["programmes_by_stage"], charts["funnel"] = _chain(summary, t)
    tables["cases_by_stage"], charts["cases_by_stage"] = _cases_by_stage(summary, t)
    return {
        "summary": summary,
        "figures": figures,
        "tables": tables,
        "charts": charts,
        "names": n,
        "as_of": as_of_label(public.as_of, t),
    }


async def overview(
    session: AsyncSession,
    public: Public,
    f: DashboardFilter,
    principal: Principal | None,
    t: Labels,
) -> dict:
    """The page's data: the public part, and for a principal its own lists, read now."""
    data = public_part(public, t)
    if principal is not None:
        n, tables = public.names, data["tables"]
        tables["overdue_cases"] = await _my_cases(session, principal, f, n, t, overdue=True)
        tables["my_cases"] = await _my_cases(session, principal, f, n, t, overdue=None)
        tables["my_programmes"] = await _my_programmes(session, principal, f, n, t)
        await session.rollback()  # a read: end it, the next request must see what workflows wrote
    return data
