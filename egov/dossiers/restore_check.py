"""After a restore (``manage.py restore_backup``): a sample of dossiers read end to
end — found by the public lookup with the status they have, their history
present, every paper's file readable."""

from __future__ import annotations

from django.core.files.storage import default_storage

from egov.dossiers.models import Dossier
from egov.dossiers.public.lookup import public_view


def check_sample(size: int) -> list[str]:
    """Problem sentences for ``size`` dossiers spread over the whole table."""
    ids = list(Dossier.objects.order_by("pk").values_list("pk", flat=True))
    if not ids:
        return []
    stride = max(1, len(ids) // max(1, size))
    picked = ids[::stride][:size]
    problems: list[str] = []
    dossiers = Dossier.objects.filter(pk__in=picked).prefetch_related("papers", "events")
    for dossier in dossiers:
        seen = public_view(dossier.code)
        if seen is None or seen.status_code != dossier.status:
            problems.append(f"{dossier.code}: the public lookup does not show it as stored.")
        if dossier.received_at is not None and not dossier.events.all():
            problems.append(f"{dossier.code}: received, but its history is missing.")
        for paper in dossier.papers.all():
            name = paper.file.name
            if not name:
                continue
            try:
                with default_storage.open(name, "rb") as handle:
                    if not handle.read(1):
                        problems.append(f"{dossier.code}: {name} is empty.")
            except OSError:
                problems.append(f"{dossier.code}: {name} cannot be read.")
    return problems
