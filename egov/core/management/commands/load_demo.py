from __future__ import annotations

from django.core.management.base import BaseCommand

from egov.core import demo_loaders


class Command(BaseCommand):
    help = (
        "Load (or refresh) all demo data: every loader the apps registered "
        "(egov.core.demo_loaders), each after the ones it needs. Idempotent."
    )

    def handle(self, *args: object, **options: object) -> None:
        for loader in demo_loaders.ordered():
            loader.load(self.stdout)
