#!/usr/bin/env python
"""Benchmark of edXML messages (issue 12): build + sign + verify per second, one
process and one thread (so: per core), for a document with a 100 KB attachment.

Usage (from the repository root)::

    uv run python bench/exchange_edxml.py [--seconds 10] [--attachment-kb 100]

Each round builds the message (our schema of QCVN 102:2016 checked), signs it
(XML-DSig enveloped, exclusive c14n, RSA-2048 / SHA-256, the key in memory — the
agency key in the server's PKCS#11 token adds its own signing time, see
bench_signatures.py), verifies the signature and parses it back liberally. It
prints rounds per second for the whole cycle and each step's mean time, and checks
that every message verifies and reads back with the same attachment; it asserts
nothing about speed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--attachment-kb", type=int, default=100)
    args = parser.parse_args()

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    from egov.exchange.edxml import build, dsig, parse
    from egov.exchange.edxml.model import (
        Attachment,
        Message,
        Organization,
        TraceHeader,
        document_id_for,
    )

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Sở Tư pháp tỉnh Kiên Giang")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    attachment = os.urandom(args.attachment_kb * 1024)

    def message(n: int) -> Message:
        return Message(
            sender=Organization("000.00.12.H33", "Sở Tư pháp tỉnh Kiên Giang"),
            recipients=(Organization("000.00.00.G22", "Văn phòng Chính phủ"),),
            document_id=document_id_for("000.00.12.H33", dt.date(2026, 12, 7), f"{n}/STP-VP"),
            subject="Về việc báo cáo kết quả liên thông văn bản điện tử năm 2026",
            code_number=str(n),
            code_notation="STP-VP",
            place="Kiên Giang",
            promulgation_date=dt.date(2026, 12, 7),
            type_name="Công văn",
            signer_position="Giám đốc",
            signer_name="Võ Văn Em",
            traces=(TraceHeader("000.00.12.H33", now),),
            attachments=(Attachment("cid:1", "cong-van.pdf", "application/pdf", attachment),),
        )

    steps: dict[str, list[float]] = {"build": [], "sign": [], "verify": [], "parse": []}
    rounds = 0
    failures = 0
    size = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    while time.perf_counter() - started < args.seconds:
        t0 = time.perf_counter()
        tree = build.message_tree(message(rounds + 1))
        t1 = time.perf_counter()
        build.validate(tree)  # what we send is checked (the signature's place included)
        data = dsig.sign(tree, key, [cert])
        t2 = time.perf_counter()
        checked = dsig.verify(data)
        t3 = time.perf_counter()
        read = parse.parse(data)
        t4 = time.perf_counter()
        steps["build"].append(t1 - t0)
        steps["sign"].append(t2 - t1)
        steps["verify"].append(t3 - t2)
        steps["parse"].append(t4 - t3)
        if (
            not checked.valid
            or read.message is None
            or read.message.attachments[0].data != attachment
        ):
            failures += 1
        size = len(data)
        rounds += 1
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    cycle = [sum(parts) for parts in zip(*steps.values(), strict=True)]
    print(f"edXML with a {args.attachment_kb} KB attachment ({size / 1024:.0f} KB signed message)")
    print(f"  rounds: {rounds} in {elapsed:.1f} s wall, {cpu:.1f} s of CPU, one thread")
    print(f"  load average when done: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"  build + sign + verify + parse: {rounds / elapsed:.0f} /s")
    no_parse = [
        b + s + v for b, s, v in zip(steps["build"], steps["sign"], steps["verify"], strict=True)
    ]
    share = cpu / elapsed if elapsed else 1.0
    print(f"  build + sign + verify: {len(no_parse) / sum(no_parse):.0f} /s wall (goal ≥ 300/s)")
    print(
        f"  build + sign + verify per CPU-second of one core: "
        f"{len(no_parse) / (sum(no_parse) * share):.0f} /s (this process had {share:.0%} of a core)"
    )
    for name_, values in steps.items():
        print(
            f"  {name_:<7} mean {statistics.mean(values) * 1000:.2f} ms, "
            f"p99 {sorted(values)[int(len(values) * 0.99) - 1] * 1000:.2f} ms"
        )
    print(f"  cycle p50 {statistics.median(cycle) * 1000:.2f} ms")
    if failures:
        print(f"FAILED: {failures} message(s) did not verify or read back")
        return 1
    print("  every message verified and read back with its attachment")
    return 0


if __name__ == "__main__":
    sys.exit(main())
