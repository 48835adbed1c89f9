"""Replace an approval chain from a JSON file (the operator's way to change chains
as data). The file::

    {"agency": "000.00.12.H33", "type_code": "", "name": "Sở Tư pháp",
     "steps": [
        {"name": "Trưởng phòng xem xét", "role_code": "unit_head", "scope": "drafting_unit"},
        {"name": "Văn phòng kiểm tra thể thức", "role_code": "unit_head", "scope": "unit",
         "unit": "000.01.12.H33"},
        {"name": "Giám đốc duyệt ký", "role_code": "agency_leader", "scope": "agency",
         "signs": true}]}

``agency`` empty or missing: the province-wide default. Validated like any other
change (roles exist, the signer's step is the last); run by the platform operator.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from egov.core.models import Unit
from egov.outgoing.services import StepIn, set_chain


def _unit(code: str) -> Unit:
    unit = Unit.objects.filter(code=code.strip(), dissolved_at__isnull=True).first()
    if unit is None:
        raise CommandError(f"no active unit with the code {code!r}")
    return unit


class Command(BaseCommand):
    help = "Replace the approval chain of an agency (or the default) from a JSON file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = json.loads(options["path"].read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot read the chain: {error}") from error
        agency = _unit(data["agency"]) if data.get("agency") else None
        steps = [
            StepIn(
                name=str(step.get("name", "")),
                role_code=str(step.get("role_code", "")),
                scope=str(step.get("scope", "")),
                unit=_unit(step["unit"]) if step.get("unit") else None,
                signs=bool(step.get("signs", False)),
            )
            for step in data.get("steps", [])
        ]
        try:
            chain = set_chain(
                None,
                agency=agency,
                type_code=str(data.get("type_code", "")),
                name=str(data.get("name", "")),
                steps=steps,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"chain #{chain.pk} “{chain.name}”: {len(steps)} steps")
