from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "egov.dossiers"
    label = "dossiers"
    verbose_name = _("One-stop dossiers")

    def ready(self) -> None:
        from django.core.management import call_command
        from django.utils.translation import gettext_lazy

        from egov.accounts.permissions import operates_platform
        from egov.core import demo_loaders, home_panels, staff_menu
        from egov.dossiers.stats.figures import can_view_statistics

        staff_menu.register(
            "dossiers.worklist",
            label=gettext_lazy("Dossiers"),
            url_name="dossiers_staff:worklist",
            order=10,
            current_namespace="dossiers_staff",
        )
        staff_menu.register(
            "dossiers.statistics",
            label=gettext_lazy("Statistics"),
            url_name="dossiers_stats:index",
            order=30,
            visible=can_view_statistics,
            current_namespace="dossiers_stats",
        )
        staff_menu.register(
            "dossiers.forms",
            label=gettext_lazy("Form templates"),
            url_name="dossiers_forms:templates",
            order=40,
            visible=operates_platform,
            current_namespace="dossiers_forms",
        )
        home_panels.register_panel(
            "dossiers.lookup", template="dossiers/home/lookup.html", order=10, area="grid"
        )
        home_panels.register_link(
            "dossiers.lookup",
            label=gettext_lazy("Look up a dossier"),
            url_name="dossiers_public:lookup",
            order=20,
        )
        demo_loaders.register(
            "dossiers",
            lambda out: call_command("load_demo_dossiers", stdout=out),
            after=("core.units", "accounts", "procedures"),
        )

        from egov.core import backup, seeds
        from egov.dossiers.form_defaults import ensure_default_form_templates
        from egov.dossiers.restore_check import check_sample

        backup.register_sample_check("dossiers", check_sample)

        seeds.register("dossiers.form_templates", ensure_default_form_templates)

        from egov.core import background
        from egov.dossiers.services.rollups import refresh_rollups

        background.register("dossiers.stats_rollups", refresh_rollups, every_seconds=60)
