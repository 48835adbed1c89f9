from django.urls import path

from egov.workfiles import views

app_name = "workfiles"

urlpatterns = [
    path("", views.index, name="index"),
    path("thong-bao/da-doc/", views.read_notices, name="read_notices"),
    path("danh-muc/", views.file_list, name="list"),
    path("danh-muc/muc/<int:entry_id>/mo/", views.open_entry, name="open_entry"),
    path("mo-moi/", views.new_file, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/them-van-ban/", views.add_document, name="add"),
    path("<int:pk>/bo-van-ban/<int:link_id>/", views.remove_document, name="remove"),
    path("<int:pk>/dong/", views.close, name="close"),
    path("<int:pk>/nop-luu/", views.hand_over, name="hand_over"),
    path("<int:pk>/ho-so.pdf", views.pdf, name="pdf"),
    path("<int:pk>/ban-nop-luu.pdf", views.archive_pdf, name="archive_pdf"),
    path("<int:pk>/ho-so.xml", views.xml, name="xml"),
]
