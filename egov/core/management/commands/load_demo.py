from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load (or refresh) all demo data: the Kiên Giang organisation tree and accounts."

    def handle(self, *args: object, **options: object) -> None:
        call_command("load_demo_units", stdout=self.stdout)
        call_command("load_demo_accounts", stdout=self.stdout)
