"""The trend of the score as a small server-side SVG line chart (no script)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, PAD = 560, 200, 32


def trend_svg(points: Sequence[tuple[str, Decimal | None]], title: str = "") -> SafeString:
    """A line through the scores (0–100 %); a period without data is a gap."""
    if not points:
        return mark_safe("")
    step = (WIDTH - 2 * PAD) / max(len(points) - 1, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" class="quality-trend" width="100%">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'stroke="#8a8f98"/>',
    ]
    coords: list[tuple[float, float, str, Decimal | None]] = []
    for i, (label, score) in enumerate(points):
        x = PAD + i * step
        y = HEIGHT - PAD - (float(score) / 100 * (HEIGHT - 2 * PAD)) if score is not None else -1
        coords.append((x, y, label, score))
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _l, s in coords if s is not None)
    if line:
        parts.append(f'<polyline points="{line}" fill="none" stroke="#1d4f91" stroke-width="2"/>')
    for x, y, label, score in coords:
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - 8}" font-size="11" text-anchor="middle">'
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
