from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignaturesConfig(AppConfig):
    name = "egov.signatures"
    label = "signatures"
    verbose_name = _("Digital signatures")

    def ready(self) -> None:
        from egov.core import staff_menu
        from egov.signatures import checks  # noqa: F401 - registers the deploy check

        staff_menu.register(
            "signatures.images",
            label=_("Signature and seal images"),
            url_name="signatures:images",
            order=80,
            visible=lambda user: bool(getattr(user, "is_staff", False)),
            current_view="signatures:images",
        )
