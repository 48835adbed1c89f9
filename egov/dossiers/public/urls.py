"""Public pages of the one-stop dossiers, mounted at ``/tra-cuu/``."""

from __future__ import annotations

from django.urls import URLPattern, path

from egov.dossiers.public import views as public_views

app_name = "dossiers_public"

urlpatterns: list[URLPattern] = [
    path("", public_views.lookup_page, name="lookup"),
]
