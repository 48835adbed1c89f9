from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutgoingConfig(AppConfig):
    name = "egov.outgoing"
    label = "outgoing"
    verbose_name = _("Outgoing documents")

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from egov.core import demo_loaders, seeds, staff_menu
        from egov.outgoing.access import drafting_units
        from egov.outgoing.chains import ensure_default_chain
        from egov.outgoing.selectors import issuing_agencies

        staff_menu.register(
            "outgoing.worklist",
            label=gettext_lazy("Outgoing documents"),
            url_name="outgoing:worklist",
            order=22,
            visible=lambda user: drafting_units(user).exists(),
            current_namespace="outgoing",
        )
        staff_menu.register(
            "outgoing.register",
            label=gettext_lazy("Outgoing register"),
            url_name="outgoing:register",
            order=23,
            visible=lambda user: issuing_agencies(user).exists(),
            current_view="outgoing:register",
        )
        seeds.register("outgoing.default_chain", ensure_default_chain)

        from egov.dossiers import page_sections
        from egov.outgoing.views_dossier import dossier_section

        page_sections.register(
            "outgoing.documents",
            template="outgoing/_dossier_section.html",
            context=dossier_section,
            order=60,
        )

        def load(out: Any) -> None:
            from egov.outgoing.demo import load_demo_outgoing
            from egov.outgoing.demo_one_stop import load_demo_signed_result

            out.write(f"Outgoing documents: {load_demo_outgoing()}")
            out.write(f"One-stop result issued through the bridge: {load_demo_signed_result()}")

        demo_loaders.register("outgoing", load, after=("documents", "signatures", "dossiers"))
