"""The national list of agencies (sync from the axis) and the registration of the
agencies this platform serves."""

from __future__ import annotations

from django.db import transaction

from egov.core.models import Unit
from egov.exchange.axis import Axis
from egov.exchange.models import AxisAgency
from egov.exchange.services import common


def sync(axis: Axis | None = None) -> int:
    """Register our agencies on the axis, then copy the national list. Returns the
    number of agencies known afterwards."""
    axis = axis or Axis()
    ours = [
        {"organ_id": u.code, "name": u.name}
        for u in Unit.objects.filter(dissolved_at__isnull=True).exclude(level="internal")
        if u.code
    ]
    axis.register(ours)
    listed = axis.agencies()
    at = common.now()
    with transaction.atomic():
        for item in listed:
            AxisAgency.objects.update_or_create(
                organ_id=item["organ_id"][:40],
                defaults={"name": item["name"][:255], "synced_at": at},
            )
    return AxisAgency.objects.count()
