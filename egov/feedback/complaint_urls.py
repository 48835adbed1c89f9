"""Pages of the complaint channel, mounted at ``/phan-anh/`` (namespace ``pakn``)."""

from django.urls import path

from egov.feedback import complaint_views as views

app_name = "pakn"

urlpatterns = [
    path("", views.published, name="published"),
    path("gui/", views.send, name="send"),
    path("theo-doi/<str:code>/", views.track, name="track"),
    path("<str:code>/binh-chon/", views.vote, name="vote"),
    path("can-bo/", views.worklist, name="worklist"),
    path("can-bo/<int:pk>/", views.staff_detail, name="staff_detail"),
]
