from __future__ import annotations

from django.urls import URLPattern

app_name = "dossiers_staff"

urlpatterns: list[URLPattern] = []
