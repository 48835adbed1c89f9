"""Compile every .po catalogue of the project into .mo with polib.

Django's own ``compilemessages`` needs GNU gettext installed; this keeps the set-up
to Python packages only. Compiled files are not committed.
"""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the project's .po translation catalogues into .mo files."

    def handle(self, *args: object, **options: object) -> None:
        roots = [Path(p) for p in settings.LOCALE_PATHS]
        roots += [p for p in (Path(settings.BASE_DIR) / "egov").glob("*/locale") if p.is_dir()]
        count = 0
        for root in roots:
            for po_path in root.glob("*/LC_MESSAGES/*.po"):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                count += 1
        self.stdout.write(f"compiled {count} catalogue(s)")
