from django.urls import path

from egov.core import views

app_name = "core"

urlpatterns = [
    path("", views.public_home, name="public-home"),
    path("can-bo/", views.staff_home, name="staff-home"),
]
