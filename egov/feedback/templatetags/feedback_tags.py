"""Small display helpers of the feedback pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """0.8534 → "85,3 %" (localised); ``None`` → "–"."""
    if value is None:
        return "–"
    return f"{number_format(round(value * 100, 1), 1)} %"


@register.filter
def score_of(figures: Any, column: str) -> float | None:
    result: float | None = figures.indicator_score(column)
    return result
