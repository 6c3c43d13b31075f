"""Charts drawn on the server as SVG: no script, nothing to download but the page itself.

Only presentation attributes (``fill``, ``width``), never ``style``: the page's
Content-Security-Policy allows no inline style. Colours match the table's (admin.css).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

COLOURS = {
    "on_time": "#2e7d32",
    "received": "#1976d2",
    "late": "#ef6c00",
    "needs_fix": "#c62828",
    "accepted": "#00695c",
    "missing": "#bdbdbd",
}
TRACK = "#eeeeee"


@dataclass(frozen=True)
class Bar:
    """One area: its name, where it leads, its reporting and on-time rates (0 to 1) and
    what to print beside it."""

    label: str
    href: str | None
    reporting: float
    on_time: float
    caption: str


def rate_bars(bars: Sequence[Bar], *, title: str) -> Markup:
    """One line per area: the bar's length is the reporting rate, its dark part the
    on-time rate. Scales with the page (viewBox), readable on a phone."""
    label_width, bar_width, caption_width, row = 150, 190, 110, 24
    width = label_width + bar_width + caption_width
    height = row * len(bars) + 4
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for index, bar in enumerate(bars):
        y = index * row + 2
        text = (
            f'<text x="{label_width - 6}" y="{y + 16}" text-anchor="end" font-size="13">'
            f"{escape(bar.label.removeprefix('Thành phố ')[:22])}</text>"
        )
        if bar.href:
            text = f'<a href="{escape(bar.href)}">{text}</a>'
        received = bar_width * max(0.0, min(1.0, bar.reporting))
        timely = bar_width * max(0.0, min(1.0, bar.on_time))
        parts += [
            text,
            f'<rect x="{label_width}" y="{y + 3}" width="{bar_width}" height="{row - 6}" '
            f'fill="{TRACK}"/>',
            f'<rect x="{label_width}" y="{y + 3}" width="{received:.1f}" height="{row - 6}" '
            f'fill="{COLOURS["received"]}"/>',
            f'<rect x="{label_width}" y="{y + 3}" width="{timely:.1f}" height="{row - 6}" '
            f'fill="{COLOURS["on_time"]}"/>',
            f'<text x="{label_width + bar_width + 6}" y="{y + 16}" font-size="13">'
            f"{escape(bar.caption)}</text>",
        ]
    parts.append("</svg>")
    return Markup("".join(parts))


def state_bar(counts: Sequence[tuple[str, str, int]], *, title: str) -> Markup:
    """One bar split by state (key, label, count): how a province's communes stand."""
    total = sum(count for _, _, count in counts) or 1
    width, height = 600, 28
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    x = 0.0
    for key, label, count in counts:
        if not count:
            continue
        part = width * count / total
        parts.append(
            f'<rect x="{x:.1f}" y="0" width="{part:.1f}" height="{height}" '
            f'fill="{COLOURS.get(key, TRACK)}"><title>{escape(label)}: {count}</title></rect>'
        )
        x += part
    parts.append("</svg>")
    return Markup("".join(parts))
