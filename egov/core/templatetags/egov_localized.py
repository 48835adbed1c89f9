"""``{{ obj|localized }}`` / ``{{ obj|localized:"action_name" }}``: a data name in the
page's language (:mod:`egov.core.localized`), falling back to Vietnamese."""

from __future__ import annotations

from typing import Any

from django import template

from egov.core.localized import localized_name

register = template.Library()


@register.filter
def localized(obj: Any, field: str = "name") -> str:
    return localized_name(obj, field)
