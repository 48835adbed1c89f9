from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    name = "egov.submissions"
    label = "submissions"
    verbose_name = _("Online submission")

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from egov.accounts.permissions import operates_platform
        from egov.core import demo_loaders, staff_menu
        from egov.dossiers import page_sections
        from egov.submissions import receivers  # noqa: F401  (connects the signal)
        from egov.submissions.declaration import staff_section

        # The staff dossier page shows the online declaration beside the papers.
        page_sections.register(
            "declaration",
            template="submissions/staff/declaration_section.html",
            context=staff_section,
            order=10,
        )

        staff_menu.register(
            "submissions.schemas",
            label=gettext_lazy("Declaration forms"),
            url_name="submissions:schema-list",
            order=41,
            visible=operates_platform,
            current_view="submissions:schema-list",
        )

        def load(out: Any) -> None:
            from egov.submissions.demo import load_demo_submissions

            out.write(f"Portal: {load_demo_submissions()} new declaration forms.")

        demo_loaders.register("submissions", load, after=("procedures",))
