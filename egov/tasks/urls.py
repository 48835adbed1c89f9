from django.urls import path

from egov.tasks import views

app_name = "tasks"

urlpatterns = [
    path("", views.index, name="index"),
    path("giao-viec/", views.new_task, name="new"),
    path("thong-bao/da-doc/", views.read_notices, name="read_notices"),
    path("tong-hop/", views.summary, name="summary"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/tien-do/", views.progress, name="progress"),
    path("<int:pk>/gia-han/", views.extension, name="extension"),
    path("gia-han/<int:request_id>/quyet-dinh/", views.decide, name="decide"),
    path("<int:pk>/hoan-thanh/", views.completion, name="completion"),
    path("<int:pk>/xac-nhan/", views.confirm, name="confirm"),
]
