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

        from egov.dossiers.signals import dossier_changed
        from egov.notifications.outbox import on_dossier_changed

        dossier_changed.connect(on_dossier_changed, dispatch_uid="notifications.outbox")

        from egov.core import background
        from egov.notifications.worker import send_due

        background.register("notifications.send", send_due, every_seconds=5)
