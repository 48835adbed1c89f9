from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "egov.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from egov.core import seeds
        from egov.notifications.defaults import ensure_default_templates

        seeds.register("notifications.templates", ensure_default_templates)

        from egov.dossiers.signals import dossier_changed, dossiers_changed_in_batch
        from egov.notifications.outbox import on_dossier_changed, on_dossiers_changed_in_batch

        dossier_changed.connect(on_dossier_changed, dispatch_uid="notifications.outbox")
        dossiers_changed_in_batch.connect(
            on_dossiers_changed_in_batch, dispatch_uid="notifications.outbox.batch"
        )

        from egov.core import background
        from egov.notifications.worker import send_due

        background.register("notifications.send", send_due, every_seconds=5)

        from egov.core import metrics
        from egov.notifications.selectors import outbox_oldest_age_seconds, outbox_waiting

        metrics.register_gauge(
            "egov_notifications_waiting",
            "Notifications queued, sending or to retry.",
            outbox_waiting,
        )
        metrics.register_gauge(
            "egov_notifications_oldest_waiting_seconds",
            "Age of the oldest notification not yet sent (0 when none waits).",
            outbox_oldest_age_seconds,
        )

        from django.utils.translation import gettext_lazy

        from egov.accounts.permissions import operates_platform
        from egov.core import demo_loaders, staff_menu
        from egov.notifications.selectors import may_view_log

        staff_menu.register(
            "notifications.templates",
            label=gettext_lazy("Notification templates"),
            url_name="notifications:templates",
            order=42,
            visible=operates_platform,
            current_view="notifications:templates",
        )
        staff_menu.register(
            "notifications.log",
            label=gettext_lazy("Notifications"),
            url_name="notifications:log",
            order=70,
            visible=may_view_log,
            current_namespace="notifications",
        )

        def load(out: Any) -> None:
            from egov.notifications.demo import load_demo_notifications

            out.write(f"Portal: {load_demo_notifications()} new notification templates.")

        demo_loaders.register("notifications", load)
