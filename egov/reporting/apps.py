from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "egov.reporting"
    label = "reporting"
    verbose_name = _("Reporting")

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from egov.core import demo_loaders, seeds, staff_menu
        from egov.reporting.access import home_units
        from egov.reporting.seed import seed_regimes

        staff_menu.register(
            "reporting.home",
            label=gettext_lazy("Reports"),
            url_name="reporting:home",
            order=40,
            visible=lambda user: home_units(user).exists(),
            current_namespace="reporting",
        )
        seeds.register("reporting.regimes", seed_regimes)
        from egov.core import background
        from egov.reporting import services

        # Reports go to the Government system from here, never inside a request.
        background.register(
            "reporting.send_reports", lambda: services.send_queued(), every_seconds=30
        )
        from egov.core import staff_dashboard
        from egov.reporting import figures

        staff_dashboard.register_waiting(
            "reporting.due",
            label=gettext_lazy("Reports to file or approve"),
            order=50,
            count=figures.due_count,
            url_name="reporting:home",
        )
        staff_dashboard.register_figure(
            "reporting.missing",
            label=gettext_lazy("Periodic reports missing"),
            order=50,
            value=figures.missing_in_subtree,
            better="lower",
            url_name="reporting:completeness",
        )

        def load(out: Any) -> None:
            from egov.reporting.demo import load_demo_reports

            out.write(f"Reports: {load_demo_reports()}")

        demo_loaders.register("reporting", load, after=("dossiers", "outgoing"))
