from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "egov.procedures"
    label = "procedures"
    verbose_name = _("Administrative procedures")

    def ready(self) -> None:
        from django.core.management import call_command
        from django.utils.translation import gettext_lazy

        from egov.core import demo_loaders, staff_menu

        staff_menu.register(
            "procedures.list",
            label=gettext_lazy("Procedures"),
            url_name="procedures:list",
            order=20,
            current_namespace="procedures",
        )
        demo_loaders.register(
            "procedures",
            lambda out: call_command("load_demo_procedures", stdout=out),
            after=("core.units", "accounts"),
        )
