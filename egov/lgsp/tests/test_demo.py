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
    assert AccessRight.objects.count() == 9
    statuses = sorted(MessageLogEntry.objects.values_list("status", flat=True))
    assert 200 in statuses and 403 in statuses and 404 in statuses
    assert verify().ok
    # Idempotent: a second run adds nothing.
    rows = MessageLogEntry.objects.count()
    load_demo_lgsp()
    assert MessageLogEntry.objects.count() == rows and Consumer.objects.count() == 2
    assert list((tmp_path / "lgsp").glob("*.jwk.json"))
