from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkfilesConfig(AppConfig):
    name = "egov.workfiles"
    label = "workfiles"
    verbose_name = _("Work files")

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from egov.core import background, demo_loaders, staff_menu
        from egov.workfiles import access, jobs

        background.register(
            "workfiles.handover_warnings", jobs.warn_handover_due, every_seconds=3600
        )
        staff_menu.register(
            "workfiles.files",
            label=gettext_lazy("Work files"),
            url_name="workfiles:index",
            order=24,
            visible=lambda user: bool(access.agencies(user)),
            current_namespace="workfiles",
        )

        def load(out: Any) -> None:
            from egov.workfiles.demo import load_demo_workfiles

            out.write(f"Work files: {load_demo_workfiles()}")

        demo_loaders.register("workfiles", load, after=("documents", "outgoing"))
