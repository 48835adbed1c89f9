from __future__ import annotations

from django.urls import URLPattern, path

from egov.procedures import views

app_name = "procedures"

# National codes contain dots (1.001193): the default str converter keeps them whole.
urlpatterns: list[URLPattern] = [
    path("", views.procedure_list, name="list"),
    path("<str:national_code>/", views.procedure_detail, name="detail"),
    path("<str:national_code>/quy-trinh/", views.process_edit, name="process-edit"),
]
