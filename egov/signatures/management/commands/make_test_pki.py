"""``manage.py make_test_pki [--user-pin PIN]``: the demo's test PKI (idempotent).

Refused unless EGOV_SIGNATURES_DEMO_PKI is on. The personal tokens' PIN is asked
for (or given with --user-pin / the EGOV_PKI_USER_PIN variable) and never kept.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from egov.signatures import testpki


class Command(BaseCommand):
    help = "Make the demo's test PKI: root, CA, TSA, CRL, tokens and certificates (demo only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--user-pin",
            default=None,
            help="PIN of the demo signers' new SoftHSM2 tokens (default: EGOV_PKI_USER_PIN, "
            "else asked; empty: no personal tokens are made).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.EGOV_SIGNATURES_DEMO_PKI:
            raise CommandError(
                "EGOV_SIGNATURES_DEMO_PKI is off: the test PKI is only for the demo and tests."
            )
        pin = options["user_pin"]
        if pin is None:
            pin = os.environ.get("EGOV_PKI_USER_PIN")
        if pin is None and options.get("interactive", True) and os.isatty(0):
            pin = getpass.getpass("PIN for the demo signers' tokens (empty: none): ")
        made = testpki.make(user_pin=pin or "", out=self.stdout.write)
        self.stdout.write(f"Agencies with a key in the server's token: {len(made.agencies)}")
        self.stdout.write(f"Signers with a token: {', '.join(made.token_signers) or '-'}")
        self.stdout.write(f"Signers with remote signing: {', '.join(made.remote_signers) or '-'}")
        for line in made.skipped:
            self.stdout.write(f"Skipped: {line}")
