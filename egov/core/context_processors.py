from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def platform(request: HttpRequest) -> dict[str, object]:
    def can_view_audit() -> bool:
        from egov.core.audit_views import can_view_audit as allowed

        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated and allowed(user))

    # Lazy: evaluated (one query) only by templates that show the staff menu.
    return {
        "SITE_NAME": settings.SITE_NAME,
        "LANGUAGE_CHOICES": settings.LANGUAGES,
        "can_view_audit": SimpleLazyObject(can_view_audit),
    }
