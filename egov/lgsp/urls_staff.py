from django.urls import path

from egov.lgsp import views

app_name = "lgsp_staff"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("nhat-ky/", views.log_list, name="log"),
    path("nhat-ky/<int:pk>/", views.log_entry, name="log-entry"),
]
