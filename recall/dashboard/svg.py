"""Server-rendered SVG charts: horizontal bars, monthly columns and the chain's funnel.

Each chart is one <svg role="img"> with a <title> and <desc>; each bar is a <g class="bar"> with its
own <title> and its number printed beside it, so the figures read without hovering, without
JavaScript and in print. Sizes are in viewBox units: the CSS makes the chart as wide as its box."""

from dataclasses import dataclass
from html import escape
from itertools import count

from markupsafe import Markup

ELIMINATED = "#0f766e"  # teal: what was done
OPEN = "#e0a030"  # amber: what is still to do
OPEN_TEXT = "#9a5b00"
INK = "#1f2937"
MUTED = "#6b7280"
GRID = "#e5e7eb"
FONT = 13
_ids = count(1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    extra: int = 0  # a second, stacked series (still open)
    tooltip: str = ""


def _text_width(text: str, size: float = FONT) -> float:
    """Roughly how wide text renders: CJK characters a full em, others about half."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.56 for ch in text)


def _fit(text: str, width: float, size: float = FONT) -> str:
    if _text_width(text, size) <= width:
        return text
    while text and _text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _open_svg(kind: str, width: float, height: float, title: str, desc: str) -> list[str]:
    n = next(_ids)
    return [
        f'<svg class="chart chart-{kind}" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-labelledby="svg{n}t svg{n}d" xmlns="http://www.w3.org/2000/svg" '
        f'font-size="{FONT}">',
        f'<title id="svg{n}t">{escape(title)}</title><desc id="svg{n}d">{escape(desc)}</desc>',
    ]


def _desc(bars: list[Bar]) -> str:
    return "; ".join(f"{b.label}: {b.value}" + (f" (+{b.extra})" if b.extra else "") for b in bars)


def _empty(kind: str, title: str, message: str, width: float = 560) -> Markup:
    parts = _open_svg(kind, width, 60, title, message)
    parts.append(
        f'<text class="empty" x="{width / 2:.0f}" y="36" text-anchor="middle" '
        f'fill="{MUTED}">{escape(message)}</text></svg>'
    )
    return Markup("".join(parts))


def bar_chart(bars: list[Bar], *, title: str, empty: str, width: float = 560) -> Markup:
    """Horizontal bars, labels on the left; `extra` is stacked after `value` in amber."""
    if not bars:
        return _empty("bars", title, empty, width)
    row, gap, top = 26, 8, 6
    label_w = min(max(_text_width(b.label) for b in bars) + 12, width * 0.36)
    number_w = 64
    area = width - label_w - number_w
    peak = max(b.value + b.extra for b in bars) or 1
    height = top * 2 + len(bars) * (row + gap) - gap
    parts = _open_svg("bars", width, height, title, _desc(bars))
    parts.append(
        f'<line x1="{label_w:.1f}" y1="0" x2="{label_w:.1f}" y2="{height}" stroke="{GRID}"/>'
    )
    for i, b in enumerate(bars):
        y = top + i * (row + gap)
        mid = y + row / 2 + FONT * 0.35
        w_main = area * b.value / peak
        w_extra = area * b.extra / peak
        parts.append(f'<g class="bar"><title>{escape(b.tooltip or b.label)}</title>')
        parts.append(
            f'<text class="label" x="{label_w - 8:.1f}" y="{mid:.1f}" '
            f'text-anchor="end" fill="{INK}">{escape(_fit(b.label, label_w - 12))}</text>'
        )
        x = label_w
        if b.value:
            parts.append(
                f'<rect class="value" x="{x:.1f}" y="{y}" width="{w_main:.1f}" '
                f'height="{row}" rx="3" fill="{ELIMINATED}"/>'
            )
        if b.extra:
            parts.append(
                f'<rect class="extra" x="{x + w_main:.1f}" y="{y}" '
                f'width="{w_extra:.1f}" height="{row}" rx="3" fill="{OPEN}"/>'
            )
        inside = w_main >= _text_width(str(b.value)) + 12
        if b.value and inside:
            parts.append(
                f'<text class="number" x="{x + w_main - 6:.1f}" y="{mid:.1f}" '
                f'text-anchor="end" fill="#fff" font-weight="600">{b.value}</text>'
            )
            after = x + w_main + w_extra + 6
        else:
            after = x + w_main + w_extra + 6
            parts.append(
                f'<text class="number" x="{after:.1f}" y="{mid:.1f}" fill="{INK}" '
                f'font-weight="600">{b.value}</text>'
            )
            after += _text_width(str(b.value)) + 6
        if b.extra:
            parts.append(
                f'<text class="number extra" x="{after:.1f}" y="{mid:.1f}" '
                f'fill="{OPEN_TEXT}">+{b.extra}</text>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def column_chart(bars: list[Bar], *, title: str, empty: str, width: float = 560) -> Markup:
    """Vertical columns in order (months), the number above each column."""
    if not bars:
        return _empty("columns", title, empty, width)
    height, top, bottom, side = 220, 24, 30, 8
    area_h = height - top - bottom
    slot = (width - 2 * side) / len(bars)
    col = min(slot * 0.64, 56)
    peak = max(b.value for b in bars) or 1
    every = -(-len(bars) // 7)  # at most 7 axis labels
    parts = _open_svg("columns", width, height, title, _desc(bars))
    base = height - bottom
    parts.append(f'<line x1="{side}" y1="{base}" x2="{width - side}" y2="{base}" stroke="{GRID}"/>')
    for i, b in enumerate(bars):
        cx = side + slot * (i + 0.5)
        h = area_h * b.value / peak
        parts.append(f'<g class="bar"><title>{escape(b.tooltip or b.label)}</title>')
        if b.value:
            parts.append(
                f'<rect class="value" x="{cx - col / 2:.1f}" y="{base - h:.1f}" '
                f'width="{col:.1f}" height="{h:.1f}" rx="3" fill="{ELIMINATED}"/>'
            )
        parts.append(
            f'<text class="number" x="{cx:.1f}" y="{base - h - 6:.1f}" '
            f'text-anchor="middle" fill="{INK}" font-weight="600">{b.value}</text>'
        )
        if i % every == 0:
            parts.append(
                f'<text class="label" x="{cx:.1f}" y="{base + 18}" '
                f'text-anchor="middle" fill="{MUTED}" font-size="12">'
                f"{escape(b.label)}</text>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def funnel(stages: list[Bar], *, title: str, now_label: str, width: float = 560) -> Markup:
    """The chain as a funnel: band i is as wide as the programmes that reached stage i (`value`);
    `extra` holds how many stand at it now. Bands narrow in trapezoids from one to the next."""
    row, gap, top = 38, 4, 4
    label_w = min(max(_text_width(s.label) for s in stages) + 16, width * 0.34)
    note_w = max(_text_width(now_label.format(n=s.extra), 12) for s in stages) + 16
    area = width - label_w - note_w
    centre = label_w + area / 2
    peak = max(s.value for s in stages) or 1
    widths = [max(area * s.value / peak, 44) if s.value else 44 for s in stages]
    height = top * 2 + len(stages) * (row + gap) - gap
    parts = _open_svg("funnel", width, height, title, _desc(stages))
    for i, s in enumerate(stages):
        y = top + i * (row + gap)
        w_top = widths[i]
        w_bottom = widths[i + 1] if i + 1 < len(stages) and s.value else w_top
        w_bottom = min(w_bottom, w_top)
        points = (
            f"{centre - w_top / 2:.1f},{y} {centre + w_top / 2:.1f},{y} "
            f"{centre + w_bottom / 2:.1f},{y + row} {centre - w_bottom / 2:.1f},{y + row}"
        )
        fill, ink = (ELIMINATED, "#fff") if s.value else ("#f3f4f6", MUTED)
        mid = y + row / 2 + FONT * 0.4
        parts.append(f'<g class="bar"><title>{escape(s.tooltip or s.label)}</title>')
        parts.append(f'<polygon class="value" points="{points}" fill="{fill}"/>')
        parts.append(
            f'<text class="label" x="{label_w - 10:.1f}" y="{mid:.1f}" '
            f'text-anchor="end" fill="{INK}">{escape(_fit(s.label, label_w - 16))}</text>'
        )
        parts.append(
            f'<text class="number" x="{centre:.1f}" y="{mid + 1:.1f}" '
            f'text-anchor="middle" fill="{ink}" font-size="16" font-weight="700">'
            f"{s.value}</text>"
        )
        parts.append(
            f'<text class="note" x="{width - note_w + 8:.1f}" y="{mid:.1f}" '
            f'fill="{MUTED}" font-size="12">{escape(now_label.format(n=s.extra))}</text>'
        )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))
