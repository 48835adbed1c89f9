from __future__ import annotations

from django.urls import URLPattern, path

from egov.dossiers.stats import views as stats_views

app_name = "dossiers_stats"

urlpatterns: list[URLPattern] = [
    path("", stats_views.statistics_page, name="index"),
    path("excel/", stats_views.statistics_excel, name="excel"),
]
