from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "egov.dossiers"
    label = "dossiers"
    verbose_name = _("One-stop dossiers")

    def ready(self) -> None:
        from egov.core import seeds
        from egov.dossiers.form_defaults import ensure_default_form_templates

        seeds.register("dossiers.form_templates", ensure_default_form_templates)
