from django.urls import path

from egov.submissions import views

app_name = "submissions"

urlpatterns = [
    path("nhap/", views.drafts, name="drafts"),
    path("nhap/<int:pk>/xoa/", views.delete_draft, name="draft-delete"),
    path("nhap/<int:pk>/da-nop/", views.done, name="done"),
    path("nhap/<int:pk>/da-nop/phieu-xac-nhan.pdf", views.receipt, name="receipt"),
    path("nhap/<int:pk>/<slug:slug>/", views.step, name="step"),
    path("kho-giay-to/", views.wallet, name="wallet"),
    path("kho-giay-to/<int:pk>/tai-ve/", views.wallet_download, name="wallet-download"),
    path("kho-giay-to/<int:pk>/xoa/", views.wallet_delete, name="wallet-delete"),
    path("quan-tri/bieu-mau/", views.schema_list, name="schema-list"),
    path("quan-tri/bieu-mau/<str:national_code>/", views.schema_edit, name="schema-edit"),
    path("<str:national_code>/", views.start, name="start"),
]
