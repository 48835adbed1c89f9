from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "egov.documents"
    label = "documents"
    verbose_name = _("Incoming documents")

    def ready(self) -> None:
        from egov.documents import registration

        registration.register_all()
