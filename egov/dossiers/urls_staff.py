"""Staff pages of one-stop dossiers; the project mounts them at ``/can-bo/ho-so/``."""

from __future__ import annotations

from django.urls import URLPattern, path, re_path

from egov.dossiers import downloads, views

app_name = "dossiers_staff"

urlpatterns: list[URLPattern] = [
    path("", views.worklist, name="worklist"),
    path("tiep-nhan/", views.receipt, name="receipt"),
    # Dossier codes contain dots and dashes but never a slash.
    re_path(r"^(?P<code>[^/]+)/thao-tac/(?P<action>[a-z_]+)/$", views.act, name="act"),
    re_path(
        r"^(?P<code>[^/]+)/giay-to/(?P<paper_id>[0-9]{1,18})/$",
        downloads.paper_file,
        name="paper",
    ),
    re_path(
        r"^(?P<code>[^/]+)/thu-xin-loi/(?P<letter_id>[0-9]{1,18})/$",
        downloads.apology_file,
        name="apology_file",
    ),
    re_path(r"^(?P<code>[^/]+)/$", views.detail, name="detail"),
]
