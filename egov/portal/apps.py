from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "egov.portal"
    label = "portal"
    verbose_name = _("Public-service portal")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from django.utils.translation import gettext_lazy

        from egov.core import home_panels
        from egov.portal.selectors import popular_fields

        home_panels.register_panel(
            "portal.find_service",
            template="portal/home/find_service.html",
            order=10,
            stylesheet="portal/portal.css",
        )
        home_panels.register_panel(
            "portal.popular_fields",
            template="portal/home/popular_fields.html",
            order=20,
            data=lambda request: popular_fields(8) or None,
        )
        home_panels.register_link(
            "portal.catalogue",
            label=gettext_lazy("All public services"),
            url_name="portal:catalogue",
            order=10,
        )

        from egov.portal.search import invalidate
        from egov.procedures.models import ProcedureVersion

        # Saves in this process drop the search index at once; other processes
        # notice through the catalogue signature (see egov.portal.search).
        post_save.connect(invalidate, sender=ProcedureVersion, dispatch_uid="portal-index-save")
        post_delete.connect(invalidate, sender=ProcedureVersion, dispatch_uid="portal-index-del")
        m2m_changed.connect(
            invalidate, sender=ProcedureVersion.agencies.through, dispatch_uid="portal-index-m2m"
        )
