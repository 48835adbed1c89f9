"""Send queued notifications: ``manage.py run_notifications [--once] [--interval S]``.

Runs next to the web server (several may run at once: rows are claimed with
``SKIP LOCKED`` on PostgreSQL). Stops cleanly on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection

from egov.notifications.worker import send_due


class Command(BaseCommand):
    help = "Send the e-mail and SMS notifications that are due, with retries."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Send what is due, then stop.")
        parser.add_argument(
            "--interval", type=float, default=5.0, help="Seconds between polls (default 5)."
        )
        parser.add_argument(
            "--limit", type=int, default=50, help="Notifications claimed per batch (default 50)."
        )

    def handle(self, *args: Any, once: bool, interval: float, limit: int, **options: Any) -> None:
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        verbosity = int(options.get("verbosity", 1))
        while True:
            if not connection.in_atomic_block:  # (tests run the command inside one)
                close_old_connections()
            report = send_due(limit)
            if report.claimed and verbosity:
                self.stdout.write(
                    f"claimed {report.claimed}: sent {report.sent}, "
                    f"failed {report.failed}, dead {report.dead}"
                )
            if once:
                if report.claimed < limit:
                    break
                continue
            if stopping:
                break
            if report.claimed < limit:
                try:
                    slept = 0.0
                    while slept < interval and not stopping:
                        time.sleep(min(0.5, interval - slept))
                        slept += 0.5
                except KeyboardInterrupt:
                    break
            if stopping:
                break
