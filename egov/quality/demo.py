"""Demo data of the index: the demo dossiers' states sent to the national portal's
simulator (in this process), and a few left failing so the staff page of failed
syncs shows something. Idempotent: only what is still pending is sent."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from egov.quality import dvcqg, sync
from egov.quality.models import DossierSync, SyncState

FAILING = 3


def _simulated(payload: dict[str, Any]) -> tuple[bool, str]:
    """What the simulator would answer, without a network call (the demo server is
    not running while the data loads)."""
    missing = [name for name in dvcqg.REQUIRED if payload.get(name) in (None, "")]
    if missing:
        return False, f"thiếu trường: {', '.join(missing)}"
    return True, '{"ok": true}'


def _unavailable(payload: dict[str, Any]) -> tuple[bool, str]:
    return False, "HTTP 503: Cổng DVCQG tạm thời không phản hồi (mô phỏng)"


def load_demo_quality() -> str:
    sync.enqueue_missing()
    pending = list(
        DossierSync.objects.exclude(state=SyncState.ACKNOWLEDGED)
        .order_by("-id")
        .values_list("pk", flat=True)
    )
    failed = 0
    for pk in pending[:FAILING]:
        sync.push_one(pk, _unavailable)
        failed += 1
    acknowledged = sum(sync.push_one(pk, _simulated) for pk in pending[FAILING:])
    DossierSync.objects.filter(state=SyncState.FAILED).update(
        next_attempt_at=timezone.now() + sync.RETRY_DELAYS[-1]
    )
    return f"{acknowledged} dossier states acknowledged by the simulator, {failed} failing"
