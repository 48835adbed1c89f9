"""The framework ceiling the lookup is compared with: a plain Django project of one
view returning constant JSON, served by gunicorn with the platform's flags
(``bench_lookup.py --ceiling``). No database, no middleware: what Django and
gunicorn cost on this machine before any of the platform's work.

Run by gunicorn as ``bench.ceiling_app:application``.
"""

from __future__ import annotations

import django
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import path

ANSWER = {"code": "000.00.00.H33-260101-0001", "status": "received", "steps": []}


def constant(request: HttpRequest, code: str = "") -> JsonResponse:
    return JsonResponse(ANSWER)


urlpatterns = [
    path("healthz", constant),
    path("api/v1/public/dossiers/<str:code>", constant),
]

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-ceiling-only",  # noqa: S106 - a throwaway process serving a constant
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    USE_TZ=True,
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402 - after settings

application = get_wsgi_application()
