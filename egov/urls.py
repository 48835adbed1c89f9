from django.contrib import admin
from django.urls import include, path

from egov.accounts.admin import require_two_step_for_admin
from egov.api import api
from egov.core.metrics import metrics_view
from egov.core.views import healthz, readyz
from egov.quality.dvcqg import simulator as dvcqg_simulator

# The admin site edits people, roles and units: it needs the second factor too.
require_two_step_for_admin(admin.site)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("tai-khoan/", include("egov.accounts.urls")),
    path("can-bo/nhat-ky/", include("egov.core.urls_audit")),
    path("can-bo/thu-tuc/", include("egov.procedures.urls")),
    path("can-bo/ho-so/", include("egov.dossiers.urls_staff")),
    path("can-bo/thong-ke/", include("egov.dossiers.stats.urls")),
    path("can-bo/chi-so-766/", include("egov.quality.urls")),
    path("mo-phong/dvcqg/ho-so/", dvcqg_simulator, name="dvcqg-simulator"),
    path("can-bo/mau-phieu/", include("egov.dossiers.urls_forms")),
    path("can-bo/to-khai/", include("egov.submissions.urls_staff")),
    path("tra-cuu/", include("egov.dossiers.public.urls")),
    path("van-ban/den/", include("egov.documents.urls")),
    path("van-ban/di/", include("egov.outgoing.urls")),
    path("ho-so-cong-viec/", include("egov.workfiles.urls")),
    path("giao-viec/", include("egov.tasks.urls")),
    path("can-bo/dieu-hanh/", include("egov.dashboards.urls")),
    # Portal (issue 4): one prefix per app.
    path("dich-vu-cong/", include("egov.portal.urls")),
    path("tai-khoan/dinh-danh/", include("egov.identity.urls")),
    path("nop-ho-so/", include("egov.submissions.urls")),
    path("ca-nhan/", include("egov.applicants.urls")),
    path("thanh-toan/", include("egov.payments.urls")),
    path("thong-bao/", include("egov.notifications.urls")),
    path("danh-gia/", include("egov.feedback.urls")),
    path("phan-anh/", include("egov.feedback.complaint_urls")),
    path("chu-ky-so/", include("egov.signatures.urls")),
    path("bao-cao/", include("egov.reporting.urls")),
    # The integration platform (issue 12): the gateway /lgsp/r1/… and its staff pages.
    path("lgsp/", include("egov.lgsp.urls")),
    path("can-bo/lgsp/", include("egov.lgsp.urls_staff")),
    path("lien-thong/", include("egov.exchange.urls")),
    path("", include("egov.core.urls")),
]
