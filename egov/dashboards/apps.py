from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "egov.dashboards"
    label = "dashboards"
    verbose_name = _("Dashboards and the plan's targets")

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from egov.core import demo_loaders, staff_menu
        from egov.core.staff_dashboard import leader_scopes
        from egov.dashboards import providers, services

        providers.register()
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
