"""Driver of the kill -9 test (run as a separate process against its own SQLite
file): ``setup N`` queues N status messages, ``work`` drains the outbox one row at
a time forever (to be killed), ``finish`` waits out the leases and drains the
rest, then prints the counts as JSON."""

from __future__ import annotations

import json
import os
import sys
import time

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")

import django

django.setup()

from django.utils import timezone  # noqa: E402

from egov.core.models import Unit, UnitLevel  # noqa: E402
from egov.exchange.models import OutboxItem, OutboxState, SimEnvelope  # noqa: E402
from egov.exchange.services import agencies, outbox  # noqa: E402

AGENCY = "000.00.12.H33"


def setup(count: int) -> None:
    Unit.objects.add_root({"code": AGENCY, "name": "Sở Tư pháp", "level": UnitLevel.PROVINCE})
    agencies.sync()
    for n in range(count):
        outbox.enqueue_status(
            channel="axis",
            from_organ=AGENCY,
            to_organ="000.00.00.G22",
            document_id=f"000.00.00.G22,2026/12/07,{n + 1}/VPCP",
            code="03",
            at=timezone.now(),
        )


def work() -> None:
    while True:
        outbox.send_due(limit=1)
        print(SimEnvelope.objects.count(), flush=True)


def finish() -> None:
    time.sleep(float(os.environ["EGOV_EXCHANGE_LEASE_SECONDS"]) + 0.5)
    while outbox.send_due().sent:
        pass
    rows = OutboxItem.objects.all()
    print(
        json.dumps(
            {
                "rows": rows.count(),
                "sent": rows.filter(state=OutboxState.SENT).count(),
                "at_axis": SimEnvelope.objects.count(),
                "distinct_at_axis": SimEnvelope.objects.values("send_key").distinct().count(),
                "attempts": sum(r.attempts for r in rows),
            }
        )
    )


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "setup":
        setup(int(sys.argv[2]))
    elif command == "work":
        work()
    else:
        finish()
