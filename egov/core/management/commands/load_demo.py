from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Load (or refresh) all demo data: organisation tree, accounts, procedures, "
        "dossiers, and the portal's profiles, declaration forms, notification templates, "
        "ratings and questions."
    )

    def handle(self, *args: object, **options: object) -> None:
        call_command("load_demo_units", stdout=self.stdout)
        call_command("load_demo_accounts", stdout=self.stdout)
        call_command("load_demo_procedures", stdout=self.stdout)
        call_command("load_demo_dossiers", stdout=self.stdout)
        # The portal apps, each idempotent.
        from egov.feedback.demo import load_demo_feedback
        from egov.identity.demo import load_demo_identity
        from egov.notifications.demo import load_demo_notifications
        from egov.submissions.demo import load_demo_submissions

        load_demo_identity()
        self.stdout.write("Portal: profiles and identity-provider simulator loaded.")
        self.stdout.write(f"Portal: {load_demo_submissions()} new declaration forms.")
        self.stdout.write(f"Portal: {load_demo_notifications()} new notification templates.")
        self.stdout.write(f"Portal: {load_demo_feedback()}")
