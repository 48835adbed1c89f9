from django.urls import path

from egov.outgoing import views, views_attachments, views_dossier

app_name = "outgoing"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("soan-moi/", views.new_draft, name="new"),
    path("so-van-ban-di/", views.register, name="register"),
    path("tu-ho-so/<str:code>/", views_dossier.from_dossier, name="from_dossier"),
    path("<uuid:reference>/", views.detail, name="detail"),
    path("<uuid:reference>/luu/", views.save, name="save"),
    path("<uuid:reference>/tai-len/", views.upload, name="upload"),
    path("<uuid:reference>/y-kien/", views.comment, name="comment"),
    path("<uuid:reference>/trinh/", views.submit, name="submit"),
    path("<uuid:reference>/duyet/", views.approve, name="approve"),
    path("<uuid:reference>/tra-lai/", views.send_back, name="send_back"),
    path("<uuid:reference>/phat-hanh/", views.issue, name="issue"),
    path("<uuid:reference>/gui/", views.dispatch, name="dispatch"),
    path("<uuid:reference>/thu-hoi/", views.recall, name="recall"),
    path("<uuid:reference>/thay-the/", views.replace, name="replace"),
    path("<uuid:reference>/van-ban.pdf", views.pdf, name="pdf"),
    path("<uuid:reference>/phien-ban/<int:number>/", views.version_file, name="version_file"),
    path("<uuid:reference>/phu-luc/", views_attachments.add, name="attachment_add"),
    path(
        "<uuid:reference>/phu-luc/<int:attachment_id>/",
        views_attachments.download,
        name="attachment",
    ),
    path(
        "<uuid:reference>/phu-luc/<int:attachment_id>/xoa/",
        views_attachments.remove,
        name="attachment_remove",
    ),
]
