from django.urls import path

from egov.accounts import views

app_name = "accounts"

urlpatterns = [
    path("dang-nhap/", views.login_view, name="login"),
    path("xac-thuc/", views.verify_view, name="verify"),
    path("kich-hoat-2fa/", views.enrol_view, name="enrol"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("dang-ky/", views.register_view, name="register"),
    path("bao-mat/", views.security_view, name="security"),
    path("bao-mat/tat-2fa/", views.disable_totp_view, name="disable-totp"),
    path("doi-mat-khau/", views.change_password_view, name="change-password"),
]
