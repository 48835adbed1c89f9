"""Template filters of the platform's formats (:mod:`egov.core.formatting`):
``{{ amount|money }}`` → ``75.000 đ``, ``{{ moment|ddmmyyyy }}`` → ``20/02/2026``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template

from egov.core.formatting import format_amount, format_date

register = template.Library()


@register.filter
def money(amount: int | Decimal | None) -> str:
    return format_amount(amount)


@register.filter
def ddmmyyyy(value: dt.date | dt.datetime | str | None) -> str:
    """A date (or an ISO date text, as declaration answers are stored) as dd/mm/yyyy;
    any other text is returned unchanged."""
    if isinstance(value, str):
        try:
            return format_date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return format_date(value)
