from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, object]:
    return {"SITE_NAME": settings.SITE_NAME}
