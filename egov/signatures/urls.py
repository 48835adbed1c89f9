from django.urls import path

from egov.signatures import images, simulator, views

app_name = "signatures"

urlpatterns = [
    path("kiem-tra/", views.verify_page, name="verify"),
    path("anh-chu-ky/", images.signature_images, name="images"),
    path("ky-tu-xa/ket-qua", views.remote_answer, name="remote_answer"),
    path("mo-phong/tsa", simulator.tsa, name="sim_tsa"),
    path("mo-phong/ocsp", simulator.ocsp, name="sim_ocsp"),
    path("mo-phong/crl", simulator.crl, name="sim_crl"),
    path("mo-phong/ky-tu-xa/api/requests", simulator.remote_request, name="sim_remote_request"),
    path(
        "mo-phong/ky-tu-xa/api/requests/<uuid:request_id>",
        simulator.remote_status,
        name="sim_remote_status",
    ),
    path("mo-phong/ky-tu-xa/dien-thoai/", simulator.phone, name="phone"),
]
