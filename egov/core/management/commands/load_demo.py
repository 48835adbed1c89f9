from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load (or refresh) all demo data: organisation tree, accounts, procedures, dossiers."

    def handle(self, *args: object, **options: object) -> None:
        call_command("load_demo_units", stdout=self.stdout)
        call_command("load_demo_accounts", stdout=self.stdout)
        call_command("load_demo_procedures", stdout=self.stdout)
        call_command("load_demo_dossiers", stdout=self.stdout)
