#!/usr/bin/env python3
"""Refresh the Vietnamese catalogue: run makemessages, then fill entries from
JSON files ({"msgid": "bản dịch"}) given on the command line. Prints what is
still untranslated. Usage: uv run python scripts/merge_translations.py [file.json ...]
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "egov" / "locale" / "vi" / "LC_MESSAGES" / "django.po"

subprocess.run(  # noqa: S603
    [
        sys.executable,
        "manage.py",
        "makemessages",
        "-l",
        "vi",
        "--no-location",
        *(f"--ignore={d}" for d in (".venv", "tests", "bench", "var", ".tools", "scripts")),
    ],
    cwd=ROOT,
    check=True,
)
translations: dict[str, str] = {}
for name in sys.argv[1:]:
    translations.update(json.loads(Path(name).read_text(encoding="utf-8")))
catalogue = polib.pofile(str(PO))
catalogue.metadata.update({"Language": "vi", "Plural-Forms": "nplurals=1; plural=0;"})
for entry in catalogue:
    if entry.msgid in translations:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: translations[entry.msgid]}
        else:
            entry.msgstr = translations[entry.msgid]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
catalogue.save()
missing = [e.msgid for e in catalogue.untranslated_entries()] + [
    e.msgid for e in catalogue.fuzzy_entries()
]
print(f"{len(catalogue)} entries, {len(missing)} untranslated or fuzzy")
for msgid in missing:
    print("  ", msgid)
