"""``{{ amount|dong }}`` → ``25.000 đồng`` (Vietnamese groups thousands with dots)."""

from __future__ import annotations

from django import template

from egov.core.formatting import format_amount

register = template.Library()


@register.filter
def dong(amount: int | None) -> str:
    return format_amount(amount)
