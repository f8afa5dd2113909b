"""Charts as inline SVG, drawn on the server: no chart library to download, readable without scripts.

Colours come from classes in console.css (the CSP allows no inline styles); every chart carries a
<title> and the page keeps the numbers in a table next to it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from markupsafe import Markup, escape

WIDTH = 640
BAR_ROW = 22  # px per horizontal bar
LABEL_W = 190


def _svg(height: int, title: str, body: list[str]) -> Markup:
    return Markup(  # noqa: S704 - every interpolated text below is escaped
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(body)}</svg>')


def day_bars(per_day: Sequence[tuple[date, int, int]], *, title: str, done_label: str,
             open_label: str) -> Markup:
    """Bundles received per day, the completed part of each bar darker."""
    height, top, bottom = 180, 16, 28
    peak = max((r for _, r, _ in per_day), default=0) or 1
    slot = (WIDTH - 20) / max(len(per_day), 1)
    bar = max(slot * 0.7, 2)
    scale = (height - top - bottom) / peak
    every = max(1, round(len(per_day) / 10))  # at most ~10 date labels
    body = [f'<line class="axis" x1="10" y1="{height - bottom}" x2="{WIDTH - 10}" y2="{height - bottom}"/>']
    for i, (day, received, done) in enumerate(per_day):
        x = 10 + i * slot + (slot - bar) / 2
        h_all, h_done = received * scale, done * scale
        y = height - bottom - h_all
        tip = f"{day.isoformat()}: {received} ({done} {done_label}, {received - done} {open_label})"
        body.append(f'<g><title>{escape(tip)}</title>'
                    f'<rect class="c-open" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h_all:.1f}"/>'
                    f'<rect class="c-done" x="{x:.1f}" y="{height - bottom - h_done:.1f}" width="{bar:.1f}" '
                    f'height="{h_done:.1f}"/></g>')
        if received:
            body.append(f'<text class="val" x="{x + bar / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">'
                        f'{received}</text>')
        if i % every == 0:
            body.append(f'<text class="lbl" x="{x + bar / 2:.1f}" y="{height - 10}" text-anchor="middle">'
                        f'{day.day}/{day.month}</text>')
    return _svg(height, title, body)


def hbars(items: Sequence[tuple[str, int]], *, title: str, css: str = "c-issue") -> Markup:
    """One horizontal bar per label, longest first as given."""
    height = max(len(items), 1) * BAR_ROW + 8
    peak = max((v for _, v in items), default=0) or 1
    room = WIDTH - LABEL_W - 50
    body = []
    for i, (label, value) in enumerate(items):
        y = 4 + i * BAR_ROW
        w = value / peak * room
        body.append(f'<text class="lbl" x="{LABEL_W - 6}" y="{y + 14}" text-anchor="end">'
                    f'{escape(label[:32])}</text>'
                    f'<rect class="{css}" x="{LABEL_W}" y="{y + 3}" width="{w:.1f}" height="{BAR_ROW - 8}"/>'
                    f'<text class="val" x="{LABEL_W + w + 4:.1f}" y="{y + 14}">{value}</text>')
    return _svg(height, title, body)


def time_bars(rows: Sequence[tuple[str, float | None, float | None]], *, title: str,
              fmt: Callable[[float | None], str]) -> Markup:
    """Per service: the p95 as a light bar, the median as a dark one inside it."""
    height = max(len(rows), 1) * BAR_ROW + 8
    peak = max((p or 0 for _, _, p in rows), default=0) or 1
    room = WIDTH - LABEL_W - 130
    body = []
    for i, (label, median, p95) in enumerate(rows):
        y = 4 + i * BAR_ROW
        w95, w50 = (p95 or 0) / peak * room, (median or 0) / peak * room
        body.append(f'<text class="lbl" x="{LABEL_W - 6}" y="{y + 14}" text-anchor="end">'
                    f'{escape(label)}</text>'
                    f'<rect class="c-p95" x="{LABEL_W}" y="{y + 3}" width="{w95:.1f}" '
                    f'height="{BAR_ROW - 8}"/>'
                    f'<rect class="c-median" x="{LABEL_W}" y="{y + 3}" width="{w50:.1f}" '
                    f'height="{BAR_ROW - 8}"/>'
                    f'<text class="val" x="{LABEL_W + w95 + 4:.1f}" y="{y + 14}">'
                    f'{escape(fmt(median))} / {escape(fmt(p95))}</text>')
    return _svg(height, title, body)
