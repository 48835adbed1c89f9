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
        from egov.core import checks  # noqa: F401
