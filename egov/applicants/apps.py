from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicantsConfig(AppConfig):
    name = "egov.applicants"
    label = "applicants"
    verbose_name = _("Applicant space")

    def ready(self) -> None:
        from egov.applicants.services import on_dossier_changed
        from egov.dossiers.signals import dossier_changed

        dossier_changed.connect(on_dossier_changed, dispatch_uid="applicants.parcel_queue")

        from egov.applicants.services import book_pending_parcels
        from egov.core import background

        background.register("applicants.book_parcels", book_pending_parcels, every_seconds=30)
