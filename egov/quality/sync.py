"""Pushing each dossier's state to the national portal (DVCQG): the outbox.

:func:`connect` listens to ``dossiers.signals.dossier_changed`` (sent inside the
transaction of every state change): the dossier's outbox row becomes pending for
its new version, in the same transaction, so nothing is announced that did not
happen and nothing that happened is forgotten. :func:`push_pending` (a periodic
background job) sends the current state of each pending dossier until the
portal acknowledges it; a failure waits longer each time (``RETRY_DELAYS``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from egov.quality.models import DossierSync, SyncMessage, SyncState

#: Waits after the 1st, 2nd, … failure (the last one repeats).
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)


def mark_changed(dossier: Any) -> None:
    """The dossier changed: the portal must get its state ``dossier.version``.

    One statement (an upsert): this runs inside every receipt and move of a dossier.
    The dossier's row is locked by its own write path, so versions only grow here."""
    mark_many_changed([dossier])


def mark_many_changed(dossiers: list[Any]) -> None:
    """:func:`mark_changed` for many dossiers in one upsert (a batch receipt)."""
    if not dossiers:
        return
    now = timezone.now()
    DossierSync.objects.bulk_create(
        [
            DossierSync(
                dossier_id=dossier.pk,
                wanted_version=dossier.version,
                state=SyncState.PENDING,
                next_attempt_at=now,
            )
            for dossier in dossiers
        ],
        update_conflicts=True,
        unique_fields=["dossier"],
        update_fields=["wanted_version", "state", "next_attempt_at", "updated_at"],
    )


def enqueue_missing(batch: int = 5000) -> int:
    """Give every dossier without an outbox row one (pending): dossiers made before
    this app was installed, or while it was switched off. Idempotent."""
    from egov.dossiers import selectors as dossier_selectors

    added = 0
    after = 0
    now = timezone.now()
    while True:
        rows = dossier_selectors.dossier_versions(after, batch)
        if not rows:
            return added
        after = rows[-1][0]
        known = set(
            DossierSync.objects.filter(dossier_id__in=[pk for pk, _v in rows]).values_list(
                "dossier_id", flat=True
            )
        )
        new = [
            DossierSync(dossier_id=pk, wanted_version=version, next_attempt_at=now)
            for pk, version in rows
            if pk not in known
        ]
        DossierSync.objects.bulk_create(new, ignore_conflicts=True)
        added += len(new)


def _on_change(sender: Any, dossier: Any, **kwargs: Any) -> None:
    if kwargs.get("in_batch"):
        return  # marked with the whole batch by _on_batch
    mark_changed(dossier)


def _on_batch(sender: Any, items: list[tuple[Any, Any]], **kwargs: Any) -> None:
    mark_many_changed([dossier for dossier, _event in items])


def connect() -> None:
    from egov.dossiers.signals import dossier_changed, dossiers_changed_in_batch

    dossier_changed.connect(_on_change, dispatch_uid="quality.sync")
    dossiers_changed_in_batch.connect(_on_batch, dispatch_uid="quality.sync.batch")


def due_rows(now: Any, limit: int) -> list[int]:
    return list(
        DossierSync.objects.filter(
            Q(state=SyncState.PENDING) | Q(state=SyncState.FAILED),
            next_attempt_at__lte=now,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def push_one(pk: int, send: Any) -> bool:
    """Send one pending dossier's state (``send(payload) -> (ok, answer)``);
    returns whether the portal acknowledged it. The row is locked (skip if another
    worker has it), so two workers never send the same version twice at once."""
    from egov.quality import dvcqg

    now = timezone.now()
    with transaction.atomic():
        row = (
            DossierSync.objects.select_for_update(skip_locked=True)
            .filter(pk=pk)
            .exclude(state=SyncState.ACKNOWLEDGED)
            .first()
        )
        if row is None:
            return False
        dossier = dvcqg.dossier_for_sync(row.dossier_id)
        payload = dvcqg.payload(dossier)
        try:
            ok, answer = send(payload)
        except Exception as error:
            ok, answer = False, f"{type(error).__name__}: {error}"
        SyncMessage.objects.create(
            sync=row,
            dossier_version=dossier.version,
            payload=payload,
            sent_at=now,
            acknowledged=ok,
            answer=str(answer)[:500],
        )
        if ok:
            row.acknowledged_version = dossier.version
            row.ever_acknowledged = True
            row.acknowledged_at = now
            row.attempts = 0
            row.last_error = ""
            row.next_attempt_at = None
            # Changed again while we sent: another round for the newer version.
            row.state = (
                SyncState.PENDING
                if row.wanted_version > dossier.version
                else SyncState.ACKNOWLEDGED
            )
            if row.state == SyncState.PENDING:
                row.next_attempt_at = now
        else:
            delay = RETRY_DELAYS[min(row.attempts, len(RETRY_DELAYS) - 1)]
            row.attempts = F("attempts") + 1
            row.state = SyncState.FAILED
            row.last_error = str(answer)[:500]
            row.next_attempt_at = now + delay
        row.save()
    return ok


def push_pending(limit: int = 200, send: Any = None) -> dict[str, int]:
    """Send what is due; returns ``{"sent": n, "acknowledged": m}``."""
    from egov.quality import dvcqg

    sender = send or dvcqg.send
    sent = acknowledged = 0
    for pk in due_rows(timezone.now(), limit):
        sent += 1
        acknowledged += push_one(pk, sender)
    return {"sent": sent, "acknowledged": acknowledged}
