"""Audit log: the keyed seal of the chain head (ADR 2, amended for issue 8).

Adds ``seal`` and ``sealed_from_id`` to the chain head and seals the head as it
stands: the seal starts at the current last entry with a keyed value only the
holder of ``EGOV_AUDIT_KEY`` can compute. Entries written before this migration
are covered from then on by the unkeyed chain leading up to that start, and by the
signed checkpoints. Set ``EGOV_AUDIT_KEY`` before migrating: the key read here
must be the one the platform runs with.

The start value is computed here (not imported) so this migration keeps doing what
it did when it was written; it must equal ``egov.core.audit.start_seal``.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import migrations, models

GENESIS_HASH = "0" * 64


def _start_seal(key: str, entry_id: int, entry_hash: str) -> int:
    message = b"egov-audit-start\x00" + f"{entry_id}:{entry_hash}".encode()
    mac = hmac.new(key.encode(), message, hashlib.sha256).digest()
    return int.from_bytes(mac[:8], "big") >> 2


def seal_existing_head(apps, schema_editor):
    head_model = apps.get_model("core", "AuditChainHead")
    alias = schema_editor.connection.alias
    for head in head_model.objects.using(alias).all():
        head.sealed_from_id = head.last_entry_id
        head.seal = _start_seal(
            settings.EGOV_AUDIT_KEY, head.last_entry_id, head.last_hash or GENESIS_HASH
        )
        head.save(using=alias, update_fields=["seal", "sealed_from_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_audit_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditchainhead",
            name="seal",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="sealed_from_id",
            field=models.BigIntegerField(default=0),
        ),
        migrations.RunPython(seal_existing_head, migrations.RunPython.noop),
    ]
