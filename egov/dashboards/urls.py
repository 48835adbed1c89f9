from django.urls import path

from egov.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("ke-hoach/", views.plan, name="plan"),
    path("ke-hoach/chi-tieu/<int:pk>/", views.report_target, name="report_target"),
    path("ke-hoach/du-an/<int:pk>/", views.update_project, name="update_project"),
]
