from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from egov.conf import reference_markdown


class Command(BaseCommand):
    help = "Write the reference of every environment setting (docs/settings.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("output", nargs="?", help="file to write; standard output if omitted")

    def handle(self, *args: object, **options: object) -> None:
        text = reference_markdown()
        output = options.get("output")
        if output:
            Path(str(output)).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
