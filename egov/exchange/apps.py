from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "egov.exchange"
    label = "exchange"
    verbose_name = _("Document exchange (edXML)")

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from egov.core import background, demo_loaders, staff_menu
        from egov.documents.contract import on_status_change
        from egov.exchange import jobs
        from egov.exchange.selectors import may_operate, recipient_statuses
        from egov.exchange.services.statuses import on_change
        from egov.outgoing.outside import register_status_provider

        on_status_change("exchange.statuses", on_change)
        register_status_provider("exchange", recipient_statuses)
        background.register("exchange.collect", jobs.collect, every_seconds=15)
        background.register("exchange.send", jobs.send, every_seconds=5)
        background.register("exchange.poll", jobs.poll, every_seconds=30)
        background.register("exchange.agencies", jobs.sync_agencies, every_seconds=86400)
        staff_menu.register(
            "exchange.operations",
            label=gettext_lazy("Document exchange"),
            url_name="exchange:operations",
            order=62,
            visible=may_operate,
            current_namespace="exchange",
        )

        def load(out: Any) -> None:
            from egov.exchange.demo import load_demo_exchange

            out.write(f"Document exchange: {load_demo_exchange()}")

        demo_loaders.register("exchange", load, after=("outgoing", "documents"))
