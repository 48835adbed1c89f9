from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "egov.core"
    label = "core"
    verbose_name = _("Platform foundation")

    def ready(self) -> None:
        # Registers the deploy checks (published or missing secrets, simulators).
        from egov.core import checks  # noqa: F401
