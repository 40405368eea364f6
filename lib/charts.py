"""Charts as SVG made on the server (HOUSE_STYLE: the page, the PDF and a screen reader see the same).

Every chart has a title and a description (`role="img"` with `aria-labelledby`), writes each value in
words at the end of its bar (no meaning by colour alone, docs/quality.md A3), and is always shown beside a
table of the same numbers, which the templates render from the same rows.

    bar_chart(
        title="Ratings of the key factors",
        description="…",
        rows=[ChartRow("1. Leadership", [Bar(3, "#2e7d32", "3 – Established")])],
        ticks=[(0, "0"), (1, "1"), …],
        marker=(3, "Standard"),
    )

Rows may hold several bars (one per series, e.g. per round), drawn one under the other and named in a
legend; a bar with value None is drawn as an empty outline with its text ("Not rated").
"""

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 720
LABEL_CHARS = 95  # characters per line of a row label before it wraps
LINE = 16  # px per line of text
BAR = 18  # px per bar
GAP = 12  # px between rows
LEFT = 8
RIGHT = 150  # room for the value written after the longest bar
TEXT = "#1a1a1a"
GRID = "#6b6b6b"


@dataclass(frozen=True)
class Bar:
    value: float | None
    colour: str
    text: str  # the value in words, written after the bar


@dataclass(frozen=True)
class ChartRow:
    label: str
    bars: Sequence[Bar]


def _attr(value: object) -> str:
    return escape(str(value))


def _wrapped(text: str) -> list[str]:
    return textwrap.wrap(text, LABEL_CHARS) or [""]


def bar_chart(
    *,
    title: str,
    description: str,
    rows: Sequence[ChartRow],
    ticks: Sequence[tuple[float, str]],
    marker: tuple[float, str] | None = None,
    series: Sequence[tuple[str, str]] = (),
    chart_id: str = "chart",
) -> SafeString:
    """A horizontal bar chart; `ticks` are the scale's (value, label) from lowest to highest, `series` the
    legend's (name, colour) when rows hold more than one bar, `marker` a dark vertical line across the bars
    (e.g. the standard)."""
    low = min((value for value, _label in ticks), default=0.0)
    high = max((value for value, _label in ticks), default=1.0)
    span = (high - low) or 1.0
    plot = WIDTH - LEFT - RIGHT

    def x(value: float) -> float:
        return LEFT + (value - low) / span * plot

    parts: list[str] = []
    bands: list[tuple[float, float]] = []  # the heights of the bars, where the marker line is drawn
    y = 0.0
    if series:
        legend_x = float(LEFT)
        for name, colour in series:
            parts.append(
                f'<rect x="{legend_x:.1f}" y="{y + 3:.1f}" width="12" height="12" fill="{_attr(colour)}" '
                f'stroke="{TEXT}" stroke-width="0.5"/>'
                f'<text x="{legend_x + 18:.1f}" y="{y + 13:.1f}" fill="{TEXT}">{_attr(name)}</text>'
            )
            legend_x += 30 + 7.5 * len(name)
        y += LINE + GAP
    top = y
    for row in rows:
        for line in _wrapped(row.label):
            y += LINE
            parts.append(f'<text x="{LEFT}" y="{y - 4:.1f}" fill="{TEXT}">{_attr(line)}</text>')
        for bar in row.bars:
            y += 2
            if bar.value is None:
                parts.append(
                    f'<rect x="{LEFT}" y="{y:.1f}" width="4" height="{BAR}" fill="none" stroke="{GRID}" '
                    'stroke-dasharray="2 2"/>'
                )
                end = x(low) + 8.0
            else:
                right = max(x(bar.value), LEFT + 3)
                parts.append(
                    f'<rect x="{LEFT}" y="{y:.1f}" width="{right - LEFT:.1f}" height="{BAR}" '
                    f'fill="{_attr(bar.colour)}" stroke="{TEXT}" stroke-width="0.5"/>'
                )
                end = right + 6
            parts.append(f'<text x="{end:.1f}" y="{y + BAR - 5:.1f}" fill="{TEXT}">{_attr(bar.text)}</text>')
            bands.append((y - 2, y + BAR + 2))
            y += BAR
        y += GAP
    bottom = y
    axis: list[str] = [f'<line x1="{LEFT}" y1="{top:.1f}" x2="{LEFT}" y2="{bottom:.1f}" stroke="{GRID}"/>']
    for value, label in ticks:
        tx = x(value)
        axis.append(
            f'<line x1="{tx:.1f}" y1="{bottom:.1f}" x2="{tx:.1f}" y2="{bottom + 5:.1f}" stroke="{GRID}"/>'
            f'<text x="{tx:.1f}" y="{bottom + 5 + LINE:.1f}" fill="{TEXT}" text-anchor="middle">{_attr(label)}</text>'
        )
    if marker is not None:
        # Drawn across the bars only, so that it never runs through the labels above them.
        mx = x(marker[0])
        axis += [
            f'<line x1="{mx:.1f}" y1="{y1:.1f}" x2="{mx:.1f}" y2="{y2:.1f}" stroke="{TEXT}" stroke-width="2.5"/>'
            for y1, y2 in bands
        ]
        axis.append(
            f'<line x1="{mx:.1f}" y1="{bottom - GAP:.1f}" x2="{mx:.1f}" y2="{bottom + 5:.1f}" stroke="{TEXT}" '
            'stroke-width="2.5"/>'
            f'<text x="{mx:.1f}" y="{bottom + 5 + 2 * LINE:.1f}" fill="{TEXT}" text-anchor="middle">'
            f"{_attr(marker[1])}</text>"
        )
    height = bottom + 5 + 2 * LINE + (LINE if marker is not None else 0)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" aria-labelledby="{_attr(title_id)} {_attr(desc_id)}" '
        'font-family="sans-serif" font-size="13">'
        f'<title id="{_attr(title_id)}">{_attr(title)}</title><desc id="{_attr(desc_id)}">{_attr(description)}</desc>'
        + "".join(parts)
        + "".join(axis)
        + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - every text and attribute above is escaped
