#!/usr/bin/env python
"""Benchmark of PAdES signing and verification (one process, one thread: per core).

Usage (from the repository root)::

    uv run python bench/bench_signatures.py [--seconds 10]

Everything runs in a temporary directory: an in-memory SQLite database, a fresh
test PKI (`make_test_pki`'s code, keys in SoftHSM2 tokens) and the local TSA and
OCSP/CRL simulators reached in-process. It prints signatures per second for a
1-page and a 20-page PDF (PAdES B-T: RFC 3161 timestamp from the local TSA; the
agency key in the server's token) and verifications per second of a signed
1-page PDF (chain, live CRL and OCSP, timestamp, changes after signing), and
checks that each signed file verifies. It asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent


def _setup(folder: Path) -> None:
    sys.path.insert(0, str(REPO_ROOT))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "egov.settings",
            "EGOV_DEMO": "1",
            "EGOV_VAR_DIR": str(folder),
            "DATABASE_URL": "sqlite://:memory:",
            "EGOV_SIGNATURES_TRANSPORT": "inprocess",
            "EGOV_SIGNATURES_PKI_DIR": str(folder / "pki"),
            "SOFTHSM2_CONF": str(folder / "pki" / "softhsm2.conf"),
            "EGOV_LOG_FORMAT": "plain",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _world() -> Any:
    from egov.accounts import services as account_services
    from egov.accounts.default_roles import ensure_default_roles
    from egov.accounts.permissions import RoleCode
    from egov.core.models import Unit, UnitLevel
    from egov.signatures import testpki

    ensure_default_roles()
    province = Unit.objects.add_root(
        {"code": "000.00.00.H33", "name": "UBND tỉnh Kiên Giang", "level": UnitLevel.PROVINCE}
    )
    agency = Unit.objects.add_child(
        province,
        {
            "code": "000.00.15.H33",
            "name": "Sở Thông tin và Truyền thông",
            "level": UnitLevel.PROVINCIAL_AGENCY,
        },
    )
    account_services.create_staff_account(
        None,
        username="giamdoc.stttt",
        full_name="Nguyễn Văn Bình",
        unit=agency,
        role_codes=[RoleCode.AGENCY_LEADER],
        password=secrets.token_urlsafe(16),
    )
    testpki.make(user_pin="")
    return agency


def _pdf(pages: int) -> bytes:
    from egov.signatures.tests.conftest import one_page_pdf

    return one_page_pdf(pages=pages)


def _measure(name: str, seconds: float, func: Callable[[], Any]) -> Any:
    calls = 0
    result = None
    started = time.perf_counter()
    while True:
        result = func()
        calls += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds and calls >= 3:
            break
    rate = calls / elapsed
    print(f"  {name:<44} {rate:>8.2f} /s   {1000 / rate:>8.1f} ms/op   ({calls} calls)")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-signatures-") as tmp:
        _setup(Path(tmp))
        from egov.signatures import services
        from egov.signatures.verification import verify_pdf

        agency = _world()
        holder = services.holder_for_agency(agency)
        print(f"PAdES B-T with the agency key (SoftHSM2 token), {args.seconds:.0f} s each:")
        services.sign_pdf(_pdf(1), holder=holder, actor=None)  # warm-up (imports, token)
        results = {}
        for pages in (1, 20):
            document = _pdf(pages)
            results[pages] = _measure(
                f"signatures/s, {pages}-page PDF",
                args.seconds,
                lambda document=document: services.sign_pdf(document, holder=holder, actor=None),
            )
        report = _measure(
            "verifications/s, signed 1-page PDF", args.seconds, lambda: verify_pdf(results[1])
        )
        broken = [pages for pages, signed in results.items() if not verify_pdf(signed).ok]
        if not report.ok or broken:
            print(f"FAILED: signed files do not verify: {broken or 'the 1-page PDF'}")
            return 1
        print("All signed files verify (chain, revocation, timestamp).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
