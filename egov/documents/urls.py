from django.urls import path

from egov.documents import views, views_statistics

app_name = "documents"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("thong-bao/da-doc/", views.read_notices, name="read_notices"),
    path("cua-toi/", views.mine, name="mine"),
    path("tim-kiem/", views.search, name="search"),
    path("tiep-nhan/", views.receive, name="receive"),
    path("so-den/", views.register_book, name="register_book"),
    path("so-theo-doi/", views.follow_up, name="follow_up"),
    path("thong-ke/", views_statistics.statistics, name="statistics"),
    path("<uuid:ref>/", views.detail, name="detail"),
    path("<uuid:ref>/vao-so/", views.register, name="register"),
    path("<uuid:ref>/phieu-giai-quyet/", views.sheet, name="sheet"),
    path("<uuid:ref>/thao-tac/<slug:action>/", views.act, name="act"),
    path("<uuid:ref>/tep/<int:file_id>/", views.download, name="download"),
    path("<uuid:ref>/chu-ky-so/", views.signatures, name="signatures"),
]
