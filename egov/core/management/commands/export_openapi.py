from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from egov.api import api


def openapi_text() -> str:
    """The API's OpenAPI document, serialised deterministically for diffing."""
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Write the OpenAPI document of the JSON API (docs/api/openapi.json)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("output", nargs="?", help="file to write; standard output if omitted")

    def handle(self, *args: object, **options: object) -> None:
        output = options.get("output")
        if output:
            Path(str(output)).parent.mkdir(parents=True, exist_ok=True)
            Path(str(output)).write_text(openapi_text(), encoding="utf-8")
        else:
            self.stdout.write(openapi_text(), ending="")
