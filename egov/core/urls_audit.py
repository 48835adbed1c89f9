"""Audit log pages; the project includes them at ``/can-bo/nhat-ky/``."""

from django.urls import path

from egov.core import audit_views

app_name = "audit"

urlpatterns = [
    path("", audit_views.entry_list, name="list"),
    path("<int:pk>/", audit_views.entry_detail, name="detail"),
]
