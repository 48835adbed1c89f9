from django.contrib import admin
from django.urls import include, path

from egov.api import api
from egov.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("tai-khoan/", include("egov.accounts.urls")),
    path("", include("egov.core.urls")),
]
