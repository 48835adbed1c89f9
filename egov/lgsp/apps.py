from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LgspConfig(AppConfig):
    name = "egov.lgsp"
    label = "lgsp"
    verbose_name = _("Integration platform (LGSP)")

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from egov.core import background, demo_loaders, metrics, staff_menu
        from egov.lgsp import categories, messagelog
        from egov.lgsp.access import is_operator

        categories.register_all()
        from egov.lgsp import document_axis

        document_axis.register_provider()
        from egov.lgsp import connectors

        connectors.register_providers()
        from egov.lgsp import monitoring, providers

        providers.register("lgsp.monitoring", monitoring.monitoring_provider)
        _forget_registry_on_change()
        staff_menu.register(
            "lgsp.overview",
            label=gettext_lazy("Integration platform (LGSP)"),
            url_name="lgsp_staff:overview",
            order=90,
            visible=is_operator,
            current_namespace="lgsp_staff",
        )
        background.register("lgsp.purge_bodies", messagelog.purge_bodies, every_seconds=3600)

        def log_rows() -> float:
            from egov.lgsp.models import MessageLogHead

            head = MessageLogHead.objects.filter(pk=1).first()
            return float(head.entries if head else 0)

        metrics.register_gauge(
            "egov_lgsp_message_log_entries", "Rows in the LGSP message log.", log_rows
        )

        def load(out: Any) -> None:
            from egov.lgsp.demo import load_demo_lgsp

            out.write(f"Integration platform: {load_demo_lgsp()}")

        demo_loaders.register("lgsp", load, after=("dossiers", "outgoing"))


def _forget_registry_on_change() -> None:
    from django.db.models.signals import post_delete, post_save

    from egov.lgsp import models
    from egov.lgsp.selectors import registry_changed

    def forget(**_kwargs: Any) -> None:
        registry_changed()

    for model in (
        models.Member,
        models.Subsystem,
        models.Provider,
        models.Service,
        models.Consumer,
        models.AccessRight,
    ):
        post_save.connect(forget, sender=model, weak=False, dispatch_uid=f"lgsp-{model.__name__}")
        post_delete.connect(
            forget, sender=model, weak=False, dispatch_uid=f"lgsp-del-{model.__name__}"
        )
