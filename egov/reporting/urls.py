from django.urls import path

from egov.reporting import simulator, views

app_name = "reporting"

urlpatterns = [
    path("", views.home, name="home"),
    path("don-vi/<int:unit_id>/", views.unit_page, name="unit"),
    path("lap/", views.create, name="create"),
    path("<int:pk>/", views.report_page, name="report"),
    path("<int:pk>/thao-tac/", views.act, name="act"),
    path("<int:pk>/pdf/", views.download_pdf, name="pdf"),
    path("<int:pk>/excel/", views.download_xlsx, name="xlsx"),
    path("tinh-hinh-nop/", views.completeness_page, name="completeness"),
    path("mo-phong/chinh-phu/reports", simulator.receive, name="sim_receive"),
    path("mo-phong/chinh-phu/reports/<str:receipt_id>", simulator.status, name="sim_status"),
]
