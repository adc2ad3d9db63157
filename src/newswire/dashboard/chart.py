"""Pickups over time as a stacked bar chart: SVG drawn on the server.

No chart library and no script: the chart prints, works offline and under the
site's strict Content-Security-Policy, and a table beside it carries the same
figures for screen readers.
"""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

LAYERS = (
    ("compliant", "Compliant"),
    ("not_compliant", "Not compliant"),
    ("unauthorised", "Unauthorised"),
)


def stacked_bars(
    series: list[dict[str, Any]], width: int = 720, height: int = 180, name: str = "chart"
) -> SafeString:
    """The chart at one size (its text is 10 units high: at 720 wide it reads at about 10 px
    on a 720-px column, at 360 wide on a phone)."""
    pad_left, pad_bottom = 32, 18
    plot_w, plot_h = width - pad_left, height - pad_bottom
    top = max((sum(d[k] for k, _ in LAYERS) for d in series), default=0) or 1
    step = plot_w / max(len(series), 1)
    bar = max(step * 0.8, 1)
    rects = []
    for n, d in enumerate(series):
        y = float(plot_h)
        for key, label in LAYERS:
            value = d[key]
            if not value:
                continue
            h = plot_h * value / top
            y -= h
            # (every value here is a number, a date or one of LAYERS' words: nothing to
            # escape, and a year's thousand bars drawn through format_html took 25 ms)
            rects.append(
                f'<rect x="{pad_left + n * step:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" class="{key}"><title>{d["day"]:%Y-%m-%d}: {int(value)} '
                f"{label.lower()}</title></rect>"
            )
    bars = mark_safe("".join(rects))  # (numbers, dates and fixed words only)
    labels = []
    if series:
        last = len(series) - 1
        for n in sorted({0, last // 2, last}):
            # the first label starts at its bar, the middle one is centred on it, and the
            # last ends at the chart's edge (a label starting there was cut off)
            anchor = "start" if n == 0 else "end" if n == last else "middle"
            x = pad_left + n * step + (bar if n == last else bar / 2 if anchor == "middle" else 0)
            labels.append((f"{min(x, width):.1f}", height - 4, anchor, f"{series[n]['day']:%b %d}"))
    ticks = format_html_join(
        "", '<text x="{}" y="{}" text-anchor="{}" class="tick">{}</text>', labels
    )
    return format_html(
        '<svg class="chart {}" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title">'
        '<title id="{}-title">Copies first seen each day: compliant, not compliant, '
        "unauthorised</title>"
        '<text x="0" y="12" class="tick">{}</text><text x="0" y="{}" class="tick">0</text>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" class="axis"/>{}{}</svg>',
        name, width, height, name, name, top, plot_h, pad_left, plot_h, width, plot_h, bars,
        ticks,
    )  # fmt: skip


def chart(series: list[dict[str, Any]]) -> SafeString:
    """The chart drawn twice, wide and narrow: CSS shows the one that fits (on a phone the
    wide one's labels would be about 4 px high)."""
    return format_html(
        '<div class="chart-box">{}{}</div>',
        stacked_bars(series, name="chart-wide"),
        stacked_bars(series, width=360, height=200, name="chart-narrow"),
    )
