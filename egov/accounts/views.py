from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

login_view = auth_views.LoginView.as_view(template_name="accounts/login.html")
logout_view = auth_views.LogoutView.as_view()


def lockout_response(request: HttpRequest, credentials: dict | None = None, *args, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
    return render(request, "accounts/locked.html", status=429)
