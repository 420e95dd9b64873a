"""Small charts drawn on the server as SVG: no JavaScript, no chart library, readable without CSS."""

from __future__ import annotations

from datetime import date

from django.utils.html import escape

WIDTH, HEIGHT, AXIS = 280, 60, 12


def bar_chart_svg(points: list[tuple[date, int]], title: str) -> str:
    """A bar per day; each bar carries its date and count as a tooltip (<title>) for screen readers."""
    peak = max((count for _, count in points), default=0) or 1
    step = WIDTH / max(len(points), 1)
    bars = []
    for i, (day, count) in enumerate(points):
        height = round((HEIGHT - AXIS) * count / peak, 1)
        x, y = round(i * step + 1, 1), round(HEIGHT - AXIS - height, 1)
        bars.append(f'<rect x="{x}" y="{y}" width="{round(step - 2, 1)}" height="{height}" fill="#417690">'
                    f"<title>{day.isoformat()}: {count}</title></rect>")
    first = points[0][0].strftime("%d %b") if points else ""
    last = points[-1][0].strftime("%d %b") if points else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" class="articles-per-day"><title>{escape(title)}</title>'
            + "".join(bars)
            + f'<line x1="0" y1="{HEIGHT - AXIS}" x2="{WIDTH}" y2="{HEIGHT - AXIS}" stroke="#999"/>'
            f'<text x="0" y="{HEIGHT - 1}" font-size="9">{first}</text>'
            f'<text x="{WIDTH}" y="{HEIGHT - 1}" font-size="9" text-anchor="end">{last} (max {peak})</text>'
            "</svg>")
