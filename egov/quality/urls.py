"""Staff pages of the 766 index; the project mounts them at ``/can-bo/chi-so-766/``."""

from __future__ import annotations

from django.urls import URLPattern, path

from egov.quality import views

app_name = "quality"

urlpatterns: list[URLPattern] = [
    path("", views.index_page, name="index"),
    path("dong-bo-loi/", views.failed_syncs, name="sync-failed"),
]
