"""Staff pages of the one-stop forms; the project mounts them at ``/can-bo/mau-phieu/``."""

from __future__ import annotations

from django.urls import URLPattern, path, re_path

from egov.dossiers import form_views

app_name = "dossiers_forms"

urlpatterns: list[URLPattern] = [
    path("", form_views.template_list, name="templates"),
    path("so-theo-doi/", form_views.register, name="register"),
    re_path(r"^(?P<form_code>0[1-7])/sua/$", form_views.template_edit, name="edit"),
    re_path(r"^(?P<form_code>0[1-7])/xem-thu\.pdf$", form_views.template_preview, name="preview"),
    # Dossier codes contain dots and dashes but never a slash.
    re_path(
        r"^(?P<dossier_code>[^/]+)/(?P<form_code>0[1-6])\.pdf$",
        form_views.dossier_form_pdf,
        name="dossier_form",
    ),
]
