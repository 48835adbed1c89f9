"""Demo of the integration platform: the platform's services, two consumers (the
one-stop system of Sở Tư pháp with wide rights, a district's system with one),
their private keys written beside the data so calls can be tried by hand, and a
few real calls through the gateway so the log and the monitoring page have rows."""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.conf import settings
from django.test import Client
from joserfc.jwk import ECKey

from egov.lgsp import services
from egov.lgsp.auth import make_token
from egov.lgsp.models import Consumer, MessageLogEntry
from egov.lgsp.population import CITIZENS
from egov.lgsp.registry import ensure_platform_services

CONSUMERS = (
    (
        "000.00.05.H33",
        "Sở Tư pháp tỉnh Kiên Giang",
        "motcua",
        (
            "CATALOGUE",
            "DOSSIER-LOOKUP",
            "CITIZEN-LOOKUP",
            "CATEGORY-UNITS",
            "CATEGORY-PROCEDURES",
            "CATEGORY-DOCUMENT-TYPES",
            "CATEGORY-DOSSIER-STATUSES",
            "PAYMENT-STATUS",
            "POSTAL-TRACKING",
        ),
    ),
    ("000.00.33.H33", "UBND Thành phố Rạch Giá", "qlvb", ("CATEGORY-UNITS", "CATALOGUE")),
)


def key_dir() -> Path:
    return Path(settings.VAR_DIR) / "lgsp"


def _key_for(subsystem_id: str) -> ECKey:
    folder = key_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (subsystem_id.replace("/", "_") + ".jwk.json")
    if path.exists():
        key = ECKey.import_key(json.loads(path.read_text()))
        assert isinstance(key, ECKey)
        return key
    key = ECKey.generate_key("P-256", private=True)
    path.write_text(json.dumps(key.as_dict(private=True)))
    os.chmod(path, 0o600)
    return key


def load_demo_lgsp() -> str:
    made = ensure_platform_services()
    instance = str(settings.EGOV_LGSP_INSTANCE)
    keys: dict[str, ECKey] = {}
    for code, name, subsystem_code, rights in CONSUMERS:
        member = services.ensure_member(
            None, instance=instance, member_class="GOV", member_code=code, name=name
        )
        subsystem = services.ensure_subsystem(None, member, subsystem_code)
        key = _key_for(subsystem.identifier)
        keys[subsystem.identifier] = key
        existing = Consumer.objects.filter(subsystem=subsystem).first()
        consumer = existing or services.register_consumer(
            None, subsystem, key.as_dict(private=False), daily_quota=10_000
        )
        for service_code in rights:
            services.grant(None, consumer, made[service_code], rate_per_minute=120)
    if not MessageLogEntry.objects.exists():
        _sample_calls(keys)
    rows = MessageLogEntry.objects.count()
    return f"{len(made)} services, {len(CONSUMERS)} consumers, {rows} log rows"


def _sample_calls(keys: dict[str, ECKey]) -> None:
    # The sample calls go through the whole stack in this process, as the site's own host.
    hosts = [host for host in settings.ALLOWED_HOSTS if host and "*" not in host]
    client = Client(HTTP_HOST=hosts[0] if hosts else "localhost")
    province = f"{settings.EGOV_LGSP_INSTANCE}/GOV/000.00.00.H33/lgsp"
    cccd = next(iter(CITIZENS))
    calls = [
        (0, f"{province}/CATEGORY-UNITS/v1"),
        (0, f"{province}/CATEGORY-DOSSIER-STATUSES/v1"),
        (0, f"{province}/CATALOGUE/v1"),
        (0, f"{province}/CITIZEN-LOOKUP/v1/{cccd}"),
        (0, f"{province}/CITIZEN-LOOKUP/v1/091000000000"),
        (1, f"{province}/CATEGORY-UNITS/v1"),
        (1, f"{province}/CITIZEN-LOOKUP/v1/{cccd}"),  # no right: 403
    ]
    clients = list(keys)
    for which, path in calls:
        client_id = clients[which]
        client.get(
            f"/lgsp/r1/{path}",
            HTTP_X_ROAD_CLIENT=client_id,
            HTTP_AUTHORIZATION=f"Bearer {make_token(keys[client_id], client_id)}",
        )
