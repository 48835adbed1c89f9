"""Small charts drawn on the server as SVG (no JavaScript, no CDN).

Each function returns markup ready for a template (``mark_safe`` after every label
and number has been escaped here). The charts carry a ``<title>`` and a
``<desc>`` listing every value, so a screen reader reads the figures, and scale
with their container (``viewBox``, width 100 %).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from egov.core.formatting import format_number

Number = int | float

WIDTH = 320
HEIGHT = 160
PAD_LEFT = 8
PAD_BOTTOM = 34
PAD_TOP = 18
GOOD = "#1d6b35"
BAD = "#a4262c"
NEUTRAL = "#1f4e8c"


def _fmt(value: Number | None, unit: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        text = format_number(round(value, 1))
    else:
        text = f"{int(value):,}".replace(",", ".")
    return f"{text}{' ' + unit if unit and unit != '%' else unit}"


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[Number | None],
    *,
    unit: str = "",
    better: str = "higher",
    target: Number | None = None,
) -> SafeString:
    """Vertical bars, one per label, the last one (the current period) stronger.
    ``target`` draws a dashed line (e.g. the plan's 30 %)."""
    known = [v for v in values if v is not None]
    top = max([*known, target or 0, 1])
    if unit == "%":
        top = max(top, 100) if (target or 0) > 50 or top > 50 else max(top, 50)
    count = max(len(values), 1)
    plot_w = WIDTH - PAD_LEFT * 2
    plot_h = HEIGHT - PAD_BOTTOM - PAD_TOP
    slot = plot_w / count
    bar_w = slot * 0.62
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title>",
        "<desc>"
        + escape(
            "; ".join(f"{label}: {_fmt(v, unit)}" for label, v in zip(labels, values, strict=True))
        )
        + "</desc>",
        f'<line x1="{PAD_LEFT}" y1="{HEIGHT - PAD_BOTTOM}" x2="{WIDTH - PAD_LEFT}" '
        f'y2="{HEIGHT - PAD_BOTTOM}" stroke="#6b7280" stroke-width="1"/>',
    ]
    colour = GOOD if better == "higher" else BAD
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = PAD_LEFT + i * slot + (slot - bar_w) / 2
        opacity = "1" if i == count - 1 else "0.55"
        if value is not None:
            h = plot_h * (value / top) if top else 0
            y = HEIGHT - PAD_BOTTOM - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{max(h, 0.5):.1f}" '
                f'fill="{colour}" fill-opacity="{opacity}"/>'
            )
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" font-size="10" '
                f'text-anchor="middle" fill="#1f2933">{escape(_fmt(value, unit))}</text>'
            )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{HEIGHT - PAD_BOTTOM + 14}" font-size="10" '
            f'text-anchor="middle" fill="#374151">{escape(label)}</text>'
        )
    if target is not None and top:
        y = HEIGHT - PAD_BOTTOM - plot_h * (target / top)
        parts.append(
            f'<line x1="{PAD_LEFT}" y1="{y:.1f}" x2="{WIDTH - PAD_LEFT}" y2="{y:.1f}" '
            f'stroke="{NEUTRAL}" stroke-width="1.5" stroke-dasharray="5 4"/>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def meter(value: Number | None, target: Number, *, unit: str = "%") -> SafeString:
    """A horizontal meter from 0 to max(target, value, 100 for shares) with the target mark."""
    top = max(100 if unit == "%" else 0, target, value or 0, 1)
    w = 300
    fill = 0 if value is None else w * (value / top)
    reached = value is not None and value >= target
    parts = [
        f'<svg class="meter" viewBox="0 0 {w} 18" role="img" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(_fmt(value, unit))} / {escape(_fmt(target, unit))}</title>",
        f'<rect x="0" y="3" width="{w}" height="12" fill="#e5e7eb" rx="2"/>',
        f'<rect x="0" y="3" width="{fill:.1f}" height="12" '
        f'fill="{GOOD if reached else BAD}" rx="2"/>',
        f'<line x1="{w * target / top:.1f}" y1="0" x2="{w * target / top:.1f}" y2="18" '
        f'stroke="{NEUTRAL}" stroke-width="2"/>',
        "</svg>",
    ]
    return mark_safe("".join(parts))


LINE_WIDTH, LINE_HEIGHT, LINE_PAD = 560, 200, 32


def line_chart(
    points: Sequence[tuple[str, Decimal | None]], title: str = "", *, css_class: str = "chart-line"
) -> SafeString:
    """A line through percentages (0–100 %), one point per labelled period; a period
    without data is a gap (the 766 index's trend)."""
    if not points:
        return mark_safe("")
    step = (LINE_WIDTH - 2 * LINE_PAD) / max(len(points) - 1, 1)
    base = LINE_HEIGHT - LINE_PAD
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {LINE_WIDTH} {LINE_HEIGHT}" '
        f'role="img" class="{escape(css_class)}" width="100%">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{LINE_PAD}" y1="{base}" x2="{LINE_WIDTH - LINE_PAD}" y2="{base}" '
        'stroke="#8a8f98"/>',
    ]
    coords: list[tuple[float, float, str, Decimal | None]] = []
    for i, (label, score) in enumerate(points):
        x = LINE_PAD + i * step
        y = base - (float(score) / 100 * (LINE_HEIGHT - 2 * LINE_PAD)) if score is not None else -1
        coords.append((x, y, label, score))
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _l, s in coords if s is not None)
    if line:
        parts.append(f'<polyline points="{line}" fill="none" stroke="#1d4f91" stroke-width="2"/>')
    for x, y, label, score in coords:
        parts.append(
            f'<text x="{x:.1f}" y="{LINE_HEIGHT - 8}" font-size="11" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
        if score is not None:
            text = str(score).replace(".", ",")
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1d4f91"/>')
            parts.append(
                f'<text x="{x:.1f}" y="{y - 6:.1f}" font-size="11" text-anchor="middle">'
                f"{escape(text)}%</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))
