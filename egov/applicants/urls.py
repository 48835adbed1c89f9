"""Pages of the applicant's own space; the project mounts them at ``/ca-nhan/``."""

from django.urls import URLPattern, path, re_path

from egov.applicants import simulator, views

app_name = "applicants"

# Dossier codes contain dots and dashes but never a slash.
CODE = r"(?P<code>[^/]+)"

urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("ho-so/", views.dossier_list, name="dossiers"),
    re_path(rf"^ho-so/{CODE}/$", views.dossier_detail, name="dossier"),
    re_path(rf"^ho-so/{CODE}/bo-sung/$", views.supplement, name="supplement"),
    re_path(rf"^ho-so/{CODE}/rut-ho-so/$", views.withdraw, name="withdraw"),
    re_path(rf"^ho-so/{CODE}/nhan-ket-qua/$", views.delivery, name="delivery"),
    re_path(rf"^ho-so/{CODE}/giay-to/(?P<paper_id>[0-9]+)/$", views.paper_file, name="paper"),
    re_path(rf"^ho-so/{CODE}/mau/(?P<form_code>0[1-5])\.pdf$", views.form_pdf, name="form"),
    # Simulator of the public postal service (only when settings.EGOV_SIMULATORS).
    path("mo-phong/buu-dien/", simulator.operator_page, name="postal-simulator"),
    path(
        "mo-phong/buu-dien/<str:number>/trang-thai/",
        simulator.operator_push,
        name="postal-simulator-push",
    ),
    path("mo-phong/buu-dien/api/parcels", simulator.api_book, name="postal-api-book"),
    path(
        "mo-phong/buu-dien/api/parcels/<str:number>",
        simulator.api_track,
        name="postal-api-track",
    ),
    path(
        "mo-phong/buu-dien/api/parcels/<str:number>/cancel",
        simulator.api_cancel,
        name="postal-api-cancel",
    ),
]
