from django.urls import path

from egov.exchange import simulator, views

app_name = "exchange"

urlpatterns = [
    path("", views.operations, name="operations"),
    path("cach-ly/<int:pk>/doc-lai", views.retry, name="retry"),
    path("cach-ly/<int:pk>/tu-choi", views.reject, name="reject"),
    path("cach-ly/<int:pk>/tep", views.raw, name="raw"),
    path("mo-phong/cong-tac", views.switch, name="switch"),
    path("mo-phong/api/agencies", simulator.agencies, name="sim_agencies"),
    path("mo-phong/api/messages", simulator.send, name="sim_send"),
    path("mo-phong/api/received", simulator.received, name="sim_received"),
    path("mo-phong/api/messages/<str:axis_id>", simulator.message, name="sim_message"),
    path("mo-phong/api/messages/<str:axis_id>/status", simulator.status, name="sim_status"),
]
