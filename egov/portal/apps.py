from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "egov.portal"
    label = "portal"
    verbose_name = _("Public-service portal")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from egov.portal.search import invalidate
        from egov.procedures.models import ProcedureVersion

        # Saves in this process drop the search index at once; other processes
        # notice through the catalogue signature (see egov.portal.search).
        post_save.connect(invalidate, sender=ProcedureVersion, dispatch_uid="portal-index-save")
        post_delete.connect(invalidate, sender=ProcedureVersion, dispatch_uid="portal-index-del")
        m2m_changed.connect(
            invalidate, sender=ProcedureVersion.agencies.through, dispatch_uid="portal-index-m2m"
        )
