"""Reads of this app's own rows (the sync outbox) for the index and the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from egov.quality.models import DossierSync, SyncState


def acknowledged_count(dossiers: QuerySet[Any]) -> int:
    """How many of ``dossiers`` (a ``values("pk")`` subquery) the portal acknowledged."""
    return DossierSync.objects.filter(dossier_id__in=dossiers, ever_acknowledged=True).count()


def failed_syncs(limit: int = 200) -> QuerySet[DossierSync]:
    """Rows the portal has not acknowledged after at least one attempt, worst first."""
    return (
        DossierSync.objects.filter(attempts__gt=0)
        .exclude(state=SyncState.ACKNOWLEDGED)
        .select_related("dossier")
        .order_by("-attempts", "next_attempt_at")[:limit]
    )
