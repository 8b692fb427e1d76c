"""The comment log of a standard (意见汇总处理表): its rows as the workspace, the committee's
printable table and the CSV file show them, in the reader's language."""

import csv
import io

from recall.dashboard.i18n import Labels
from recall.dashboard.pages import csv_cell
from recall.dashboard.views import when

CSV_COLUMNS = (
    "std.col.number",
    "std.col.clause",
    "std.col.author",
    "std.col.organisation",
    "std.col.text",
    "std.col.disposition",
    "std.col.reason",
    "std.col.received",
    "std.col.disposed",
)


def log_rows(comments: list[dict], t: Labels) -> list[dict]:
    """One row per comment, in the order they came in, numbered from 1."""
    rows = []
    for number, c in enumerate(comments, start=1):
        organisation = c.get("organisation") or ""
        rows.append(
            {
                "number": number,
                "id": c["id"],
                "clause": c.get("clause") or "",
                "author": c["author"],
                "organisation": organisation,
                "from": f"{organisation} / {c['author']}" if organisation else c["author"],
                "text": c["text"],
                "disposition": c.get("disposition"),
                "disposition_label": t.code("disposition", c.get("disposition")),
                "reason": c.get("reason") or "",
                "received": when(c.get("received_at")),
                "disposed": when(c.get("disposed_at")),
            }
        )
    return rows


def log_csv(rows: list[dict], t: Labels) -> bytes:
    """UTF-8 with a BOM (a spreadsheet then reads the Chinese right); a cell that a spreadsheet
    would take for a formula starts with `'` (recall.dashboard.pages.csv_cell)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([t(c) for c in CSV_COLUMNS])
    for r in rows:
        cells = (
            r["number"],
            r["clause"],
            r["author"],
            r["organisation"],
            r["text"],
            r["disposition_label"],
            r["reason"],
            r["received"],
            r["disposed"],
        )
        writer.writerow([csv_cell(c) for c in cells])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
