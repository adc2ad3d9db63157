"""Pickups over time as a stacked bar chart: SVG drawn on the server.

No chart library and no script: the chart prints, works offline and under the
site's strict Content-Security-Policy, and a table beside it carries the same
figures for screen readers.
"""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

LAYERS = (
    ("compliant", "Compliant"),
    ("not_compliant", "Not compliant"),
    ("unauthorised", "Unauthorised"),
)


def stacked_bars(series: list[dict[str, Any]], width: int = 720, height: int = 180) -> SafeString:
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
            rects.append(
                (f"{pad_left + n * step:.1f}", f"{y:.1f}", f"{bar:.1f}", f"{h:.1f}", key,
                 f"{d['day']:%Y-%m-%d}: {value} {label.lower()}")
            )  # fmt: skip
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" class="{}"><title>{}</title></rect>',
        rects,
    )
    labels = []
    if series:
        for n in sorted({0, len(series) // 2, len(series) - 1}):
            labels.append((f"{pad_left + n * step:.1f}", height - 4, f"{series[n]['day']:%b %d}"))
    ticks = format_html_join("", '<text x="{}" y="{}" class="tick">{}</text>', labels)
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="chart-title">'
        '<title id="chart-title">Copies first seen each day: compliant, not compliant, '
        "unauthorised</title>"
        '<text x="0" y="12" class="tick">{}</text><text x="0" y="{}" class="tick">0</text>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" class="axis"/>{}{}</svg>',
        width, height, top, plot_h, pad_left, plot_h, width, plot_h, bars, ticks,
    )  # fmt: skip
