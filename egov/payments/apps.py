from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "egov.payments"
    label = "payments"
    verbose_name = _("Online payments")

    def ready(self) -> None:
        from egov.core import background
        from egov.payments.services import reconcile

        background.register("payments.reconcile", reconcile, every_seconds=300)
