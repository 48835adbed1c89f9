from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    name = "egov.submissions"
    label = "submissions"
    verbose_name = _("Online submission")

    def ready(self) -> None:
        from egov.submissions import receivers  # noqa: F401  (connects the signal)
