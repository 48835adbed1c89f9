from __future__ import annotations

from django.urls import URLPattern, path

from egov.portal import views

app_name = "portal"

# National codes contain dots (1.001193): the default str converter keeps them whole.
urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("thu-tuc/", views.catalogue, name="catalogue"),
    path("thu-tuc/<str:national_code>/", views.procedure, name="procedure"),
    path("linh-vuc/", views.fields, name="fields"),
    path("co-quan/", views.agencies, name="agencies"),
    path("kiosk/", views.kiosk, name="kiosk"),
]
