"""Reading the dashboard page back: its headline figures, tables and charts, from the HTML that
the server sent or the DOM that a browser built (the same markers in both)."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Chart:
    svgs: int = 0
    bars: int = 0
    rects: int = 0
    titles: list[str] = field(default_factory=list)


class DashboardPage(HTMLParser):
    """figures {key: text}, tables {key: [[cell, ...], ...]} (header row first), charts {key}."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.figures: dict[str, str] = {}
        self.tables: dict[str, list[list[str]]] = {}
        self.charts: dict[str, Chart] = {}
        self.html_lang = ""
        self._figure = self._table = self._chart = None
        self._value = self._cell = self._svg_title = False
        self._text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "html":
            self.html_lang = a.get("lang", "")
        if "data-figure" in a:
            self._figure = a["data-figure"]
        if tag == "span" and "value" in classes and self._figure:
            self._value, self._text = True, []
        if tag == "table" and "data-table" in a:
            self._table = a["data-table"]
            self.tables[self._table] = []
        if self._table and tag == "tr":
            self.tables[self._table].append([])
        if self._table and tag in ("th", "td"):
            self._cell, self._text = True, []
        if tag == "figure" and "data-chart" in a:
            self._chart = a["data-chart"]
            self.charts[self._chart] = Chart()
        if self._chart:
            chart = self.charts[self._chart]
            chart.svgs += tag == "svg"
            chart.bars += tag == "g" and "bar" in classes
            chart.rects += tag in ("rect", "polygon")
            if tag == "title" and chart.svgs and not chart.titles:
                self._svg_title, self._text = True, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._value:
            self.figures[self._figure] = "".join(self._text).strip()
            self._value = False
            self._figure = None
        if tag in ("th", "td") and self._cell:
            self.tables[self._table][-1].append(" ".join("".join(self._text).split()))
            self._cell = False
        if tag == "table":
            self._table = None
        if tag == "title" and self._svg_title:
            self.charts[self._chart].titles.append("".join(self._text).strip())
            self._svg_title = False
        if tag == "figure":
            self._chart = None

    def handle_data(self, data: str) -> None:
        if self._value or self._cell or self._svg_title:
            self._text.append(data)

    def rows(self, table: str) -> list[list[str]]:
        """The body rows of a table (without its header row)."""
        return self.tables[table][1:]


def expected_figures(summary: dict) -> dict[str, str]:
    """The headline figures as the page must print them, from /api/v1/dashboard/summary."""
    median = summary["median_days_to_eliminate"]
    return {
        "hazards_eliminated": str(summary["hazards_eliminated"]),
        "hazards_open": str(summary["hazards_open"]),
        "median_days_to_eliminate": "—" if median is None else f"{median:g}",
        "associations_formed": str(summary["associations_formed"]),
        "standards_published": str(sum(summary["standards_published"].values())),
        "brand_enterprises_certified": str(summary["brand_enterprises_certified"]),
        "overdue_cases": str(summary["overdue_cases"]),
    }


def grouping_rows(page: DashboardPage, key: str) -> dict[str, tuple[int, int]]:
    """{code: (eliminated, open)} of a by_industry/by_region/by_category table."""
    return {row[0]: (int(row[2]), int(row[3])) for row in page.rows(key)}


def api_rows(groups: list[dict]) -> dict[str, tuple[int, int]]:
    return {g["key"]: (g["eliminated"], g["open"]) for g in groups}
