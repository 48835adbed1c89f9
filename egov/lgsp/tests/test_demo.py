from __future__ import annotations

from typing import Any

import pytest

from egov.lgsp.demo import load_demo_lgsp
from egov.lgsp.messagelog import verify
from egov.lgsp.models import AccessRight, Consumer, MessageLogEntry

pytestmark = pytest.mark.django_db


def test_demo_registers_consumers_and_logs_real_calls(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path
    load_demo_lgsp()
    assert Consumer.objects.count() == 2
    assert AccessRight.objects.count() == 11
    statuses = sorted(MessageLogEntry.objects.values_list("status", flat=True))
    assert 200 in statuses and 403 in statuses and 404 in statuses
    assert verify().ok
    # Idempotent: a second run adds nothing.
    rows = MessageLogEntry.objects.count()
    load_demo_lgsp()
    assert MessageLogEntry.objects.count() == rows and Consumer.objects.count() == 2
    assert list((tmp_path / "lgsp").glob("*.jwk.json"))


def test_consumer_command_registers_key_and_rights(tmp_path: Any) -> None:
    import json
    from io import StringIO

    from django.core.management import call_command
    from joserfc.jwk import ECKey

    from egov.lgsp.registry import ensure_platform_services

    ensure_platform_services()
    key = ECKey.generate_key("P-256", private=True)
    path = tmp_path / "pub.jwk.json"
    path.write_text(json.dumps(key.as_dict(private=False)))
    out = StringIO()
    call_command(
        "lgsp_consumer",
        "VN/GOV/000.00.07.H33/hotich",
        "--key",
        str(path),
        "--grant",
        "CATALOGUE",
        "--grant",
        "CATEGORY-UNITS/v1",
        stdout=out,
    )
    consumer = Consumer.objects.get(subsystem__code="hotich")
    assert "d" not in consumer.public_jwk  # only the public part is kept
    assert consumer.rights.count() == 2
    call_command(
        "lgsp_consumer", "VN/GOV/000.00.07.H33/hotich", "--revoke", "CATALOGUE", stdout=out
    )
    assert consumer.rights.count() == 1
