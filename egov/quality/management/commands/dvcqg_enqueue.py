"""Give every dossier without one a pending row in the national portal's sync outbox
(run once after installing the app; the background job then sends them)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from egov.quality.sync import enqueue_missing


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{enqueue_missing()} dossiers queued for the national portal.")
