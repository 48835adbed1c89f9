"""Create or refresh the demo accounts (idempotent). Demo data: never in production."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from egov.accounts.demo import (
    DEMO_PASSWORD,
    DEMO_TOTP_COMMANDS,
    DEMO_TOTP_KEY,
    DemoUnitMissing,
    load_demo_accounts,
)


class Command(BaseCommand):
    help = (
        "Create or refresh one demo account per staff role at real Kiên Giang units, plus a "
        "citizen and a business (needs load_demo_units first). Demo data only."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            accounts = load_demo_accounts()
        except DemoUnitMissing as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{len(accounts)} demo accounts ready; password for all: {DEMO_PASSWORD}")
        for account in accounts:
            where = account.unit_name
            if account.scope_name and account.scope_name != account.unit_name:
                where = f"{where} (role scope: {account.scope_name})"
            self.stdout.write(f"  {account.username:<16} {account.role_name:<28} {where}".rstrip())
        self.stdout.write(f"Staff sign in with a TOTP code from the demo key {DEMO_TOTP_KEY}:")
        for command in DEMO_TOTP_COMMANDS:
            self.stdout.write(f"  {command}")
