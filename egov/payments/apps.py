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

        from django.utils.translation import gettext_lazy

        from egov.core import staff_menu
        from egov.payments.selectors import may_reconcile

        staff_menu.register(
            "payments.reconciliation",
            label=gettext_lazy("Payment reconciliation"),
            url_name="payments:reconciliation",
            order=60,
            visible=may_reconcile,
            current_view="payments:reconciliation",
        )
