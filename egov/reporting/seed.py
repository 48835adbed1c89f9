"""The regimes the platform starts with (``data/regimes.json``): the Government
Office's periodic form on administrative procedures, the province's IT plan
report and a monthly administrative-reform report. Seeding creates what is
missing and never overwrites a regime an operator changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "regimes.json"


def seed_regimes(get_model: Any = None) -> int:
    """Create the missing seed regimes (``get_model``: a migration's ``apps.get_model``)."""
    if get_model is None:
        from django.apps import apps

        get_model = apps.get_model
    regime_model = get_model("reporting", "Regime")
    indicator_model = get_model("reporting", "Indicator")
    created = 0
    for data in json.loads(DATA.read_text(encoding="utf-8")):
        data = dict(data)
        indicators = data.pop("indicators")
        if regime_model.objects.filter(code=data["code"]).exists():
            continue
        regime = regime_model.objects.create(**data)
        for position, item in enumerate(indicators, start=1):
            indicator_model.objects.create(regime=regime, position=position, **item)
        created += 1
    return created
