"""The plan's timeline: a Gantt-like SVG made on the server, and the rows of its table equivalent.

One bar per action from its start to its end on a time axis, coloured by status and with the status
written after it (no meaning by colour alone); a dark vertical line marks today; an overdue action (its end or
an indicator's due date is past while it is neither done nor dropped) gets a marker and the word
"overdue". The same rows feed the table beside the chart, the PDF and the workbook.
"""

import textwrap
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from actionplans.models import Action

WIDTH = 720
LEFT = 8
RIGHT = 170  # room for the status written after the bar
LABEL_CHARS = 95
LINE = 16
BAR = 18
GAP = 12
TEXT = "#1a1a1a"
GRID = "#6b6b6b"
OVERDUE = "#b00020"
# Each at least 3:1 against white (WCAG 1.4.11); the status is also written beside every bar.
COLOURS: dict[str, str] = {
    Action.Status.PLANNED: "#1f5fa8",
    Action.Status.IN_PROGRESS: "#a65200",
    Action.Status.DONE: "#2e7d32",
    Action.Status.DROPPED: "#6b6b6b",
}


@dataclass
class TimelineRow:
    number: int
    action: Action
    overdue: bool
    reasons: list[str]  # why it is overdue, in words

    @property
    def status_text(self) -> str:
        words = str(self.action.get_status_display())
        return f"{words} · {_('overdue')}" if self.overdue else words


def shown_date(value: date) -> str:
    return str(date_format(value, "j M Y"))


def timeline_rows(actions: list[Action], today: date) -> list[TimelineRow]:
    """The plan's actions in order, each with whether and why it is overdue (indicators prefetched)."""
    rows = []
    for number, action in enumerate(actions, start=1):
        reasons = []
        if not action.is_closed:
            if action.end is not None and action.end < today:
                reasons.append(_("ended %(date)s") % {"date": shown_date(action.end)})
            for indicator in action.overdue_indicators(today):
                reasons.append(
                    _("indicator “%(name)s” was due %(date)s")
                    % {"name": indicator.name, "date": shown_date(indicator.due)}  # type: ignore[arg-type]
                )
        rows.append(TimelineRow(number, action, bool(reasons), reasons))
    return rows


def _attr(value: object) -> str:
    return escape(str(value))


def _month_start(value: date) -> date:
    return value.replace(day=1)


def _add_months(value: date, months: int) -> date:
    total = value.year * 12 + value.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def _ticks(low: date, high: date) -> list[date]:
    """First days of months between low and high, every 1, 3, 6 or 12 months: at most 8 ticks."""
    months = (high.year - low.year) * 12 + high.month - low.month + 1
    step = next((s for s in (1, 3, 6, 12, 24, 60) if months / s <= 8), 120)
    first = _month_start(low)
    if step >= 12:
        first = date(first.year, 1, 1)
    elif step > 1:
        first = date(first.year, (first.month - 1) // step * step + 1, 1)
    ticks = []
    tick = first
    while tick <= high:
        if tick >= low:
            ticks.append(tick)
        tick = _add_months(tick, step)
    return ticks


def timeline_svg(rows: list[TimelineRow], today: date, *, title: str, chart_id: str = "timeline") -> SafeString:
    dated = [d for row in rows for d in (row.action.start, row.action.end) if d is not None]
    low = min([*dated, today])
    high = max([*dated, today])
    low = _month_start(low)
    high = _add_months(high, 1) - timedelta(days=1)
    span = max((high - low).days, 1)
    plot = WIDTH - LEFT - RIGHT

    def x(value: date) -> float:
        return LEFT + (value - low).days / span * plot

    parts: list[str] = []
    bands: list[tuple[float, float]] = []  # the heights of the bars, where the line of today is drawn
    y = 0.0
    for row in rows:
        action = row.action
        for line in textwrap.wrap(f"{row.number}. {action.title}", LABEL_CHARS) or [""]:
            y += LINE
            parts.append(f'<text x="{LEFT}" y="{y - 4:.1f}" fill="{TEXT}">{_attr(line)}</text>')
        y += 2
        colour = COLOURS.get(action.status, GRID)
        if action.start is not None and action.end is not None:
            left, right = x(action.start), max(x(action.end), x(action.start) + 3)
            parts.append(
                f'<rect x="{left:.1f}" y="{y:.1f}" width="{right - left:.1f}" height="{BAR}" fill="{colour}" '
                f'stroke="{TEXT}" stroke-width="0.5"/>'
            )
            end = right + 6
        elif action.start is not None or action.end is not None:
            known = action.start or action.end
            assert known is not None  # noqa: S101 - narrows the type for mypy
            cx = x(known)
            parts.append(f'<circle cx="{cx:.1f}" cy="{y + BAR / 2:.1f}" r="6" fill="{colour}" stroke="{TEXT}"/>')
            end = cx + 10
        else:
            parts.append(
                f'<rect x="{LEFT}" y="{y:.1f}" width="4" height="{BAR}" fill="none" stroke="{GRID}" '
                'stroke-dasharray="2 2"/>'
            )
            end = LEFT + 10.0
        words = row.status_text
        if action.start is None and action.end is None:
            words = f"{words} · {_('no dates yet')}"
        if row.overdue:
            # A marker that is not colour alone: a triangle with an exclamation mark, and the word.
            tx = end + 2
            parts.append(
                f'<polygon points="{tx:.1f},{y + BAR:.1f} {tx + 8:.1f},{y + 1:.1f} {tx + 16:.1f},{y + BAR:.1f}" '
                f'fill="{OVERDUE}"/>'
                f'<text x="{tx + 8:.1f}" y="{y + BAR - 3:.1f}" fill="#ffffff" font-size="11" font-weight="bold" '
                'text-anchor="middle" aria-hidden="true">!</text>'
            )
            end = tx + 22
        parts.append(f'<text x="{end:.1f}" y="{y + BAR - 5:.1f}" fill="{TEXT}">{_attr(words)}</text>')
        bands.append((y - 2, y + BAR + 2))
        y += BAR + GAP
    top, bottom = 0.0, max(y, float(LINE))
    axis = [f'<line x1="{LEFT}" y1="{bottom:.1f}" x2="{LEFT + plot}" y2="{bottom:.1f}" stroke="{GRID}"/>']
    for tick in _ticks(low, high):
        tx = x(tick)
        label = date_format(tick, "M Y")
        anchor = "start" if tx < LEFT + 30 else "middle"  # the first month's name must not be cut at the edge
        axis.append(
            f'<line x1="{tx:.1f}" y1="{top:.1f}" x2="{tx:.1f}" y2="{bottom + 5:.1f}" stroke="#d0d0d0"/>'
            f'<text x="{tx:.1f}" y="{bottom + 5 + LINE:.1f}" fill="{TEXT}" text-anchor="{anchor}">{_attr(label)}</text>'
        )
    mx = x(today)
    today_text = _("Today, %(date)s") % {"date": shown_date(today)}
    # Drawn across the bars only, so that it never runs through the labels above them.
    axis += [
        f'<line x1="{mx:.1f}" y1="{y1:.1f}" x2="{mx:.1f}" y2="{y2:.1f}" stroke="{TEXT}" stroke-width="2.5"/>'
        for y1, y2 in bands
    ]
    axis.append(
        f'<line x1="{mx:.1f}" y1="{bottom - GAP:.1f}" x2="{mx:.1f}" y2="{bottom + 5:.1f}" stroke="{TEXT}" '
        'stroke-width="2.5"/>'
        f'<text x="{min(max(mx, 60), WIDTH - 80):.1f}" y="{bottom + 5 + 2 * LINE:.1f}" fill="{TEXT}" '
        f'text-anchor="middle">{_attr(today_text)}</text>'
    )
    height = bottom + 5 + 3 * LINE
    overdue = [row for row in rows if row.overdue]
    description = _(
        "One bar per action from its start to its end, on a time axis from %(low)s to %(high)s, with its status "
        "written after it; the dark vertical line marks today, %(today)s. %(overdue)s of %(total)s actions are overdue"
    ) % {
        "low": shown_date(low),
        "high": shown_date(high),
        "today": shown_date(today),
        "overdue": len(overdue),
        "total": len(rows),
    }
    if overdue:
        description += ": " + "; ".join(f"{row.number}. {row.action.title}" for row in overdue)
    description += "."
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" aria-labelledby="{_attr(title_id)} {_attr(desc_id)}" '
        'font-family="sans-serif" font-size="13">'
        f'<title id="{_attr(title_id)}">{_attr(title)}</title><desc id="{_attr(desc_id)}">{_attr(description)}</desc>'
        + "".join(axis)
        + "".join(parts)
        + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - every text and attribute above is escaped
