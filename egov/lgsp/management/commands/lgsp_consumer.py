"""``manage.py lgsp_consumer CLIENT --key public.jwk.json [--grant SERVICE …]``

Register (or re-key) a consumer subsystem with its public key and grant it
services of the platform's LGSP subsystem, through the audited services. The
member and subsystem are created when missing. ``--revoke`` takes rights away.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egov.lgsp import services
from egov.lgsp.errors import RegistryError
from egov.lgsp.identifiers import parse_client
from egov.lgsp.models import Consumer, Service


class Command(BaseCommand):
    help = "Register an LGSP consumer with its public key and grant or revoke services."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("client", help="INSTANCE/CLASS/MEMBERCODE/SUBSYSTEM")
        parser.add_argument("--name", default="", help="the member's name (new members)")
        parser.add_argument("--key", help="file with the consumer's public key (JWK JSON)")
        parser.add_argument("--grant", action="append", default=[], help="service code[/version]")
        parser.add_argument("--revoke", action="append", default=[], help="service code[/ver]")
        parser.add_argument("--rate", type=int, default=60, help="calls per minute per service")
        parser.add_argument("--quota", type=int, default=0, help="calls per day per service")

    def _service(self, text: str) -> Service:
        code, _sep, version = text.partition("/")
        found = Service.objects.filter(code=code, version=version or "v1").first()
        if found is None:
            raise CommandError(f"no service {text}")
        return found

    def handle(self, *args: Any, **options: Any) -> None:
        client = parse_client(options["client"])
        if client is None:
            raise CommandError("CLIENT must be INSTANCE/CLASS/MEMBERCODE/SUBSYSTEM")
        try:
            member = services.ensure_member(
                None,
                instance=client.instance,
                member_class=client.member_class,
                member_code=client.member_code,
                name=options["name"] or client.member_code,
            )
            subsystem = services.ensure_subsystem(None, member, client.subsystem)
            if options["key"]:
                jwk = json.loads(Path(options["key"]).read_text())
                consumer = services.register_consumer(None, subsystem, jwk)
            else:
                found = Consumer.objects.filter(subsystem=subsystem).first()
                if found is None:
                    raise CommandError("a new consumer needs --key")
                consumer = found
        except (RegistryError, ValueError, OSError) as error:
            raise CommandError(str(error)) from None
        for text in options["grant"]:
            services.grant(
                None,
                consumer,
                self._service(text),
                rate_per_minute=options["rate"],
                daily_quota=options["quota"],
            )
        for text in options["revoke"]:
            services.revoke(None, consumer, self._service(text))
        rights = (
            ", ".join(
                right.service.identifier
                for right in consumer.rights.select_related("service__subsystem__member")
            )
            or "—"
        )
        self.stdout.write(f"{consumer.identifier}: {rights}")
