from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "egov.core"
    label = "core"
    verbose_name = _("Platform foundation")

    def ready(self) -> None:
        from egov.core import background
        from egov.core.audit_checkpoints import write_checkpoint_if_due

        # Checks hourly; writes when the newest checkpoint is older than
        # EGOV_AUDIT_CHECKPOINT_HOURS (daily by default).
        background.register("core.audit_checkpoint", write_checkpoint_if_due, every_seconds=3600)

        # Registers the deploy checks (published or missing secrets, simulators).
        from django.core.management import call_command
        from django.utils.translation import gettext_lazy

        from egov.core import (
            checks,  # noqa: F401
            demo_loaders,
            home_panels,
            staff_menu,
        )
        from egov.core.audit_views import can_view_audit

        staff_menu.register(
            "core.workspace",
            label=gettext_lazy("My workspace"),
            url_name="core:staff-home",
            order=0,
            current_view="core:staff-home",
        )
        staff_menu.register(
            "core.audit",
            label=gettext_lazy("Audit log"),
            url_name="audit:list",
            order=900,
            visible=can_view_audit,
            current_namespace="audit",
        )
        staff_menu.register(
            "core.admin",
            label=gettext_lazy("Administration"),
            url_name="admin:index",
            order=1000,
            visible=lambda user: bool(user.is_staff),
        )
        home_panels.register_link(
            "core.staff_workspace",
            label=gettext_lazy("Officials: go to the staff workspace"),
            url_name="core:staff-home",
            order=90,
        )
        demo_loaders.register("core.units", lambda out: call_command("load_demo_units", stdout=out))
