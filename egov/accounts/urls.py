from django.urls import path

from egov.accounts import views

app_name = "accounts"

urlpatterns = [
    path("dang-nhap/", views.login_view, name="login"),
    path("dang-xuat/", views.logout_view, name="logout"),
]
