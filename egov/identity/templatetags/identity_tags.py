"""``{% identity_signin_button next %}``: the VNeID button on the sign-in page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("identity/_signin_button.html")
def identity_signin_button(next_url: str = "") -> dict[str, Any]:
    url = reverse("identity:start")
    if next_url:
        url += "?" + urlencode({"next": next_url})
    return {"enabled": settings.EGOV_IDENTITY_ENABLED, "url": url}
