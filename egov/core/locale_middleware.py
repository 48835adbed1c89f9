from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the person chose another language with the switch.

    Many Vietnamese officials and citizens run browsers set to English; a
    provincial service should still greet them in Vietnamese. The browser's
    Accept-Language is honoured only when EGOV_USE_BROWSER_LANGUAGE is on.
    """

    def process_request(self, request: HttpRequest) -> None:
        if not settings.EGOV_USE_BROWSER_LANGUAGE:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
