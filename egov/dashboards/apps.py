from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "egov.dashboards"
    label = "dashboards"
    verbose_name = _("Dashboards and the plan's targets")

    def ready(self) -> None:
        from django.conf import settings
        from django.utils.translation import gettext_lazy

        from egov.core import background, demo_loaders, staff_dashboard, staff_menu
        from egov.core.staff_dashboard import leader_scopes
        from egov.dashboards import providers, services

        providers.register()
        # Province-wide counts read hundreds of thousands of dossiers: computed here,
        # before they expire, so a leader's page only reads the cache.
        background.register(
            "dashboards.warm_figures",
            lambda: staff_dashboard.warm_figures(shared_only=True),
            every_seconds=settings.EGOV_DASHBOARD_WARM_SECONDS,
        )
        staff_menu.register(
            "dashboards.plan",
            label=gettext_lazy("IT plan"),
            url_name="dashboards:plan",
            order=80,
            visible=lambda user: bool(leader_scopes(user)) or services.may_report(user),
            current_namespace="dashboards",
        )

        def load(out: Any) -> None:
            from egov.dashboards.demo import load_demo_plan

            out.write(f"Plan: {load_demo_plan()}")

        demo_loaders.register("dashboards", load, after=("tasks",))
