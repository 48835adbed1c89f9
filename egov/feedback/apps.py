from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "egov.feedback"
    label = "feedback"
    verbose_name = _("Feedback and questions")

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from egov.core import demo_loaders, staff_menu
        from egov.dossiers.stats.figures import register_satisfaction_provider
        from egov.feedback.selectors import answerable_agencies, satisfaction_summary

        staff_menu.register(
            "feedback.questions",
            label=gettext_lazy("Questions"),
            url_name="feedback:questions",
            order=50,
            visible=lambda user: answerable_agencies(user).exists(),
            current_view="feedback:questions",
        )
        register_satisfaction_provider(satisfaction_summary)
        staff_menu.register(
            "feedback.complaints",
            label=gettext_lazy("Feedback (PAKN)"),
            url_name="pakn:worklist",
            order=51,
            visible=lambda user: answerable_agencies(user).exists(),
            current_namespace="pakn",
        )

        from egov.core import background, home_panels

        home_panels.register_link(
            "feedback.complaints",
            label=gettext_lazy("Send feedback or a petition"),
            url_name="pakn:send",
            order=75,
        )

        def send_notices() -> object:
            from egov.feedback.complaint_notices import send_due

            return send_due()

        background.register("feedback.complaint_notices", send_notices, every_seconds=60)

        def load(out: Any) -> None:
            from egov.feedback.demo import load_demo_feedback

            out.write(f"Portal: {load_demo_feedback()}")
            from egov.feedback.complaint_demo import load_demo_complaints

            out.write(f"Feedback (PAKN): {load_demo_complaints()}")

        demo_loaders.register("feedback", load, after=("dossiers",))
