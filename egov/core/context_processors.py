from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def platform(request: HttpRequest) -> dict[str, object]:
    from egov.core.staff_menu import links_for

    # Lazy: the entries' predicates (a query each) run only when a template draws
    # the staff menu.
    return {
        "SITE_NAME": settings.SITE_NAME,
        "LANGUAGE_CHOICES": settings.LANGUAGES,
        "staff_menu": SimpleLazyObject(lambda: links_for(request)),
    }
