"""Run the platform's periodic background jobs (see ``egov.core.background``)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from egov.core import background
from egov.core.checks import refuse_unsafe_start


class Command(BaseCommand):
    help = (
        "Run every registered background job (notifications, postal bookings, payment "
        "reconciliation…) on its interval until stopped; --once runs each job once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run each job once and exit.")
        parser.add_argument(
            "--only", action="append", default=[], metavar="JOB", help="Run only this job."
        )
        parser.add_argument("--list", action="store_true", help="List the jobs and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        # The jobs sign and send with the platform's secrets, like the web server.
        refuse_unsafe_start()
        selected = [
            job for job in background.jobs() if not options["only"] or job.name in options["only"]
        ]
        if options["list"]:
            for job in selected:
                self.stdout.write(f"{job.name}\tevery {job.every_seconds:g} s")
            return
        if options["only"] and len(selected) != len(options["only"]):
            known = ", ".join(job.name for job in background.jobs())
            raise SystemExit(f"unknown job; known jobs: {known}")
        if options["once"]:
            failed = [job.name for job in selected if not background.run_job(job)]
            if failed:
                raise SystemExit(f"failed: {', '.join(failed)}")
            return
        self.stdout.write(f"running {len(selected)} background job(s); Ctrl-C to stop")
        try:
            while True:
                time.sleep(background.run_due(selected=selected))
        except KeyboardInterrupt:
            self.stdout.write("stopped")
