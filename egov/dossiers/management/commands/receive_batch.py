"""Receive a batch of dossiers from a JSON-lines file (a postal batch, an import)."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egov.accounts.models import User
from egov.dossiers.batch_file import receive_lines
from egov.dossiers.services.batch import DEFAULT_CHUNK


class Command(BaseCommand):
    help = (
        "Receive dossiers in bulk, as the clerk --clerk would one by one: one JSON object per "
        "line, each the body of POST /api/v1/dossiers (plus an optional 'reference'). "
        "Prints one JSON result per line (code and due date, or the error) and a summary."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="JSON-lines file, or - for standard input")
        parser.add_argument("--clerk", required=True, help="username of the receiving clerk")
        parser.add_argument(
            "--chunk", type=int, default=DEFAULT_CHUNK, help="items per transaction"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        clerk = User.objects.filter(username=options["clerk"], is_active=True).first()
        if clerk is None:
            raise CommandError(f"No active account {options['clerk']!r}.")
        if options["chunk"] < 1:
            raise CommandError("--chunk must be at least 1")
        path = options["file"]
        try:
            if path == "-":
                lines = sys.stdin.read().splitlines()
            else:
                with open(path, encoding="utf-8") as handle:
                    lines = handle.read().splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        answers = receive_lines(clerk, lines, chunk_size=options["chunk"])
        for answer in answers:
            self.stdout.write(json.dumps(answer, ensure_ascii=False))
        received = sum(1 for answer in answers if answer["ok"])
        self.stderr.write(
            f"Received {received} of {len(answers)}; refused {len(answers) - received}."
        )
