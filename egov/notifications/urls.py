"""Pages of notifications, mounted at ``/thong-bao/``."""

from django.urls import URLPattern, path

from egov.notifications import simulator, views

app_name = "notifications"

urlpatterns: list[URLPattern] = [
    path("quan-tri/mau/", views.template_list, name="templates"),
    path(
        "quan-tri/mau/<slug:event>/<slug:channel>/<slug:language>/",
        views.template_edit,
        name="template-edit",
    ),
    path("nhat-ky/", views.log, name="log"),
    # The SMS gateway simulator (answers 404 unless settings.EGOV_SIMULATORS).
    path("mo-phong/sms/", simulator.inbox_index, name="sms-simulator"),
    path("mo-phong/sms/api/send", simulator.api_send, name="sms-simulator-send"),
    path("mo-phong/sms/api/faults", simulator.api_faults, name="sms-simulator-faults"),
    path("mo-phong/sms/<str:phone>/", simulator.inbox_phone, name="sms-simulator-phone"),
]
