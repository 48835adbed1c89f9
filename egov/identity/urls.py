from django.urls import path

from egov.identity import views, views_simulator

app_name = "identity"

urlpatterns = [
    path("dang-nhap/", views.start_view, name="start"),
    path("ket-qua/", views.callback_view, name="callback"),
    path("ho-so-ca-nhan/", views.profile_view, name="profile"),
    # Simulator of the national identity provider (404 unless EGOV_SIMULATORS).
    path("mo-phong/", views_simulator.root_view, name="sim-root"),
    path(
        "mo-phong/.well-known/openid-configuration",
        views_simulator.discovery_view,
        name="sim-discovery",
    ),
    path("mo-phong/khoa/", views_simulator.jwks_view, name="sim-jwks"),
    path("mo-phong/uy-quyen/", views_simulator.authorize_view, name="sim-authorize"),
    path("mo-phong/token/", views_simulator.token_view, name="sim-token"),
    path("mo-phong/thong-tin/", views_simulator.userinfo_view, name="sim-userinfo"),
]
