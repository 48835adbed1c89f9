from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "egov.tasks"
    label = "tasks"
    verbose_name = _("Directive and task tracking")

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from egov.core import background, demo_loaders, staff_dashboard, staff_menu
        from egov.tasks import access, figures, messages, selectors, services

        background.register(
            "tasks.deadline_notices", lambda: services.warn_deadlines(), every_seconds=3600
        )
        background.register("tasks.send_messages", lambda: messages.send_due(), every_seconds=30)
        background.register(
            "tasks.monthly_summaries",
            lambda: messages.queue_monthly_summaries(),
            every_seconds=3600,
        )
        staff_menu.register(
            "tasks.index",
            label=gettext_lazy("Tasks"),
            url_name="tasks:index",
            order=26,
            visible=lambda user: (
                access.may_assign_anywhere(user) or access.lead_units(user).exists()
            ),
            current_namespace="tasks",
        )
        staff_dashboard.register_waiting(
            "tasks.waiting",
            label=gettext_lazy("Tasks to carry out or decide"),
            order=40,
            count=selectors.waiting_count,
            url_name="tasks:index",
        )
        staff_dashboard.register_figure(
            "tasks.late",
            label=gettext_lazy("Tasks overdue"),
            order=40,
            value=figures.overdue_tasks,
            better="lower",
            url_name="tasks:index",
        )
        staff_dashboard.register_figure(
            "tasks.on_time_share",
            label=gettext_lazy("Tasks done on time"),
            order=45,
            value=figures.on_time_share,
            unit="%",
            better="higher",
            url_name="tasks:index",
        )

        def load(out: Any) -> None:
            from egov.tasks.demo import load_demo_tasks

            out.write(f"Tasks: {load_demo_tasks()}")

        demo_loaders.register("tasks", load, after=("documents", "outgoing"))
