"""URLs for tests: the project's, plus one page guarded by ``staff_required``."""

from django.contrib.admin import AdminSite
from django.http import HttpRequest, HttpResponse
from django.urls import path

from egov.accounts.admin import require_two_step_for_admin
from egov.accounts.decorators import staff_required, verified_login_required
from egov.urls import urlpatterns as project_urlpatterns


@staff_required
def staff_only(request: HttpRequest) -> HttpResponse:
    return HttpResponse("staff area")


@verified_login_required
def signed_in_only(request: HttpRequest) -> HttpResponse:
    return HttpResponse("signed-in area")


two_step_admin = AdminSite(name="two_step_admin")
require_two_step_for_admin(two_step_admin)

urlpatterns = [
    path("test/admin/", two_step_admin.urls),
    path("test/staff-only/", staff_only, name="test-staff-only"),
    path("test/signed-in-only/", signed_in_only, name="test-signed-in-only"),
    *project_urlpatterns,
]
