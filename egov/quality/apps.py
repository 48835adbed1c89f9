from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "egov.quality"
    label = "quality"
    verbose_name = _("Service-quality index (766)")

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from egov.core import staff_menu
        from egov.quality import feedback_group, groups, indicators
        from egov.quality.access import can_view_index, may_view_sync

        for number, provider in indicators.PROVIDERS.items():
            groups.register(number, provider)
        groups.register(5, feedback_group.group5)
        staff_menu.register(
            "quality.index",
            label=gettext_lazy("Service-quality index (766)"),
            url_name="quality:index",
            order=40,
            visible=can_view_index,
            current_namespace="quality",
        )
        staff_menu.register(
            "quality.sync_failed",
            label=gettext_lazy("Sync to the national portal"),
            url_name="quality:sync-failed",
            order=41,
            visible=may_view_sync,
            current_view="quality:sync-failed",
        )
        from egov.core import background, demo_loaders
        from egov.quality import sync

        sync.connect()
        background.register("quality.push_dvcqg", sync.push_pending, every_seconds=30)

        def load(out: Any) -> None:
            from egov.quality.demo import load_demo_quality

            out.write(f"Service-quality index: {load_demo_quality()}")

        demo_loaders.register("quality", load, after=("dossiers", "submissions", "feedback"))
