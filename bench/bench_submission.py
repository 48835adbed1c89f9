#!/usr/bin/env python
"""Benchmark of online submissions with two 1 MB attachments.

Usage (from the repository root)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        uv run python bench/bench_submission.py [--clients 4] [--service 200] [--http 200]

With a PostgreSQL URL the script never touches the database named in the URL: it
uses the same server with its own database ``egov_bench_submission``
(``--bench-db``), created when missing and migrated. Files go to a temporary
directory (``EGOV_FILE_STORAGE_PATH``), removed at the end.

Every submission is the applicant's whole journey: start a draft (pre-filled from
the profile), save the applicant and the declaration (birth registration form,
validated against its JSON Schema), attach two papers — a real 1 MB PDF and a
real 1 MB JPEG, each made unique per submission so the wallet's deduplication
does not shortcut anything — each checked by content (signature + full parse),
then submit: ``dossiers.services.submit_online`` (code, papers copied into the
dossier, event, audit) plus the copies kept in the wallet.

1. **Service layer**: ``--clients`` threads (one database connection each) call
   :mod:`egov.submissions.services` directly.
2. **HTTP**: the platform is served by a **separate process** (gunicorn,
   one worker process per core with 4 threads each, as in production), and
   ``--clients`` threads each drive the mobile API with their own keep-alive
   connection and signed-in citizen session: ``POST /api/v1/submissions/drafts``,
   two multipart ``POST …/papers``, ``POST …/submit`` with an Idempotency-Key.

Prints submissions per second and the p50/p99 latency of a whole submission for
each. Exits 1 if a check fails (a submission not answered 201, duplicate codes,
dossier or wallet counts wrong, broken audit chain). It asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _common import gunicorn_command, prepare_postgres, setup_django

REPO_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
MB = 1024 * 1024
NATIONAL_CODE = "1.001193"
ANSWERS = {
    "ho_ten_tre": "Nguyễn Thị Mai",
    "ngay_sinh_tre": "2026-02-20",
    "gioi_tinh_tre": "nu",
    "noi_sinh": "Bệnh viện Đa khoa tỉnh Kiên Giang",
    "dan_toc_tre": "Kinh",
    "quoc_tich_tre": "Việt Nam",
    "ho_ten_me": "Trần Thị Lan",
    "noi_cu_tru_me": "12 Trần Phú, Phường Vĩnh Thanh Vân, Rạch Giá",
    "quan_he": "mẹ",
    "cam_doan": True,
}


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--bench-db", default="egov_bench_submission")
    parser.add_argument("--clients", type=int, default=4, help="Concurrent clients (threads).")
    parser.add_argument("--service", type=int, default=200, help="Submissions via services.")
    parser.add_argument("--http", type=int, default=200, help="Submissions via HTTP.")
    parser.add_argument("--port", type=int, default=8767, help="Port of the server process.")
    return parser.parse_args(argv)


# --- files ---------------------------------------------------------------------------------


def _noise_jpeg(size: int, seed: int) -> bytes:
    """A real JPEG of random pixels of about ``size`` bytes."""
    import random

    from PIL import Image

    side = 600
    while True:
        rng = random.Random(seed)
        image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=85)
        data = buffer.getvalue()
        if len(data) >= size:
            return data
        side = int(side * (size / len(data)) ** 0.5) + 8


def _pdf_with(jpeg: bytes) -> bytes:
    """A real one-page PDF embedding ``jpeg``."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Giay chung sinh - ban quet")
    pdf.image(io.BytesIO(jpeg), x=10, y=20, w=180)
    return bytes(pdf.output())


def base_files() -> tuple[bytes, bytes]:
    jpeg = _noise_jpeg(MB, 1)
    pdf = _pdf_with(_noise_jpeg(MB - 4000, 2))
    return pdf, jpeg


def unique_pdf(pdf: bytes, tag: str) -> bytes:
    """Still a valid PDF: a comment line after the end-of-file marker."""
    return pdf + f"\n% {tag}\n".encode()


def unique_jpeg(jpeg: bytes, tag: str) -> bytes:
    """Still a valid JPEG: a COM segment right after the start-of-image marker."""
    comment = tag.encode()
    return jpeg[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + jpeg[2:]


# --- database and Django -------------------------------------------------------------------


def fixture(clients: int, run_id: str) -> tuple[Any, Any, list[Any]]:
    """A province, an agency with its one-stop desk, the birth registration procedure
    (online level 4, two required papers) with its form, and one citizen per client."""
    from egov.accounts.default_roles import ensure_default_roles
    from egov.accounts.models import AccountKind, User
    from egov.core.models import Unit, UnitLevel
    from egov.core.services.units import create_unit
    from egov.procedures.models import (
        OnlineLevel,
        PaperForm,
        Procedure,
        ProcedureField,
        ProcedureVersion,
        RequiredPaper,
        VersionStatus,
    )
    from egov.submissions.demo import birth_registration
    from egov.submissions.services import save_form_schema

    ensure_default_roles()
    province = Unit.objects.filter(code="000.00.00.H33").first() or create_unit(
        None, None, code="000.00.00.H33", name="UBND tỉnh Kiên Giang", level=UnitLevel.PROVINCE
    )
    agency = Unit.objects.filter(code="000.00.33.H33").first()
    if agency is None:
        agency = create_unit(
            None, province, code="000.00.33.H33", name="UBND Thành phố Rạch Giá", level="district"
        )
        create_unit(
            None,
            agency,
            code="000.01.33.H33",
            name="Bộ phận Một cửa Thành phố Rạch Giá",
            level=UnitLevel.INTERNAL,
            is_one_stop=True,
        )
    field_row, _ = ProcedureField.objects.get_or_create(
        code="ho-tich", defaults={"name": "Hộ tịch"}
    )
    procedure, _ = Procedure.objects.get_or_create(national_code=NATIONAL_CODE)
    version = ProcedureVersion.objects.filter(
        procedure=procedure, status=VersionStatus.PUBLISHED
    ).first()
    if version is None:
        version = ProcedureVersion.objects.create(
            procedure=procedure,
            number=procedure.versions.count() + 1,
            status=VersionStatus.PUBLISHED,
            name="Đăng ký khai sinh",
            field=field_row,
            online_level=OnlineLevel.FULLY_ONLINE,
            time_limit=1,
            fees=[{"name": "Lệ phí đăng ký khai sinh", "amount": 0}],
        )
        for position, name in enumerate(["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"], 1):
            RequiredPaper.objects.create(
                version=version, position=position, name=name, form=PaperForm.ORIGINAL
            )
        version.agencies.set([agency])
    schema, layout = birth_registration()
    save_form_schema(None, procedure, schema=schema, layout=layout)
    users = []
    for index in range(clients):
        username = f"0910{int(run_id, 16) % 10**4:04d}{index:04d}"
        user = User.objects.filter(username=username).first() or User.objects.create_user(
            username,
            None,
            full_name=f"Công dân thử nghiệm {index}",
            kind=AccountKind.CITIZEN,
            national_id=username,
            phone="0912345678",
        )
        users.append(user)
    return version, agency, users


# --- the service-layer run -----------------------------------------------------------------


def _service_submission(user: Any, version: Any, agency: Any, files: tuple[bytes, bytes]) -> str:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from egov.submissions import selectors, services

    draft = services.start_draft(user, version, agency=agency)
    services.save_draft(
        user,
        draft,
        expected_version=draft.version,
        applicant={
            "name": user.full_name,
            "id_number": user.national_id,
            "address": "12 Trần Phú, Rạch Giá",
            "phone": "0912345678",
        },
        answers=ANSWERS,
    )
    papers = selectors.papers_of(version)
    tag = uuid.uuid4().hex
    uploads = {
        papers[0].pk: SimpleUploadedFile(
            "to-khai.pdf", unique_pdf(files[0], tag), content_type="application/pdf"
        ),
        papers[1].pk: SimpleUploadedFile(
            "giay-chung-sinh.jpg", unique_jpeg(files[1], tag), content_type="image/jpeg"
        ),
    }
    _draft, errors = services.save_papers(
        user, draft, expected_version=draft.version, uploads=uploads
    )
    if errors:
        raise RuntimeError(f"papers refused: {errors}")
    dossier, created = services.submit_draft(user, draft.pk)
    if not created:
        raise RuntimeError("submit did not create a dossier")
    return str(dossier.code)


def _threads(
    count: int, clients: int, one: Callable[[int], str]
) -> tuple[list[str], list[float], list[str], float]:
    from django.db import connection

    lock = threading.Lock()
    tickets = iter(range(count))
    codes: list[str] = []
    latencies: list[float] = []
    errors: list[str] = []

    def worker(index: int) -> None:
        try:
            while True:
                with lock:
                    ticket = next(tickets, None)
                if ticket is None:
                    return
                started = time.perf_counter()
                try:
                    code = one(index)
                except Exception as exc:
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                elapsed = time.perf_counter() - started
                with lock:
                    codes.append(code)
                    latencies.append(elapsed)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes, latencies, errors, time.perf_counter() - started


def _report(label: str, codes: list[str], latencies: list[float], elapsed: float) -> None:
    rate = len(codes) / elapsed if elapsed else 0.0
    ordered = sorted(latencies) or [0.0]
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"{label}: {len(codes)} submissions in {elapsed:.2f} s -> {rate:.1f} submissions/s; "
        f"latency per submission p50 {statistics.median(ordered) * 1000:.0f} ms, "
        f"p99 {p99 * 1000:.0f} ms"
    )


# --- the HTTP run --------------------------------------------------------------------------


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    # gunicorn as in production: one worker process per core, threads for the waits.
    command = gunicorn_command(HOST, port, workers=os.cpu_count() or 2, threads=4)
    process = subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env={
            **os.environ,
            **env,
            "EGOV_DEBUG": "false",
            "EGOV_ALLOWED_HOSTS": f"{HOST},localhost",
            "EGOV_LOG_LEVEL": "WARNING",
        },
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server process exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("server did not answer /healthz within 60 s")


def session_cookie(user: Any) -> str:
    """A signed-in session for ``user`` and a CSRF token, as cookies."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


class ApiClient:
    def __init__(self, port: int, cookie: str) -> None:
        self.connection = http.client.HTTPConnection(HOST, port, timeout=120)
        self.csrf = uuid.uuid4().hex  # 32 characters: an unmasked CSRF secret
        self.cookie = f"{cookie}; csrftoken={self.csrf}"

    def call(self, method: str, path: str, body: bytes, content_type: str, **headers: str) -> Any:
        self.connection.request(
            method,
            path,
            body=body,
            headers={
                "Cookie": self.cookie,
                "X-CSRFToken": self.csrf,
                "Content-Type": content_type,
                "Host": HOST,
                **headers,
            },
        )
        response = self.connection.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else None

    def multipart(self, path: str, fields: dict[str, str], name: str, content: bytes) -> Any:
        boundary = uuid.uuid4().hex
        parts = []
        for key, value in fields.items():
            parts.append(
                f"--{boundary}\r\nContent-Disposition: form-data; "
                f'name="{key}"\r\n\r\n{value}\r\n'.encode()
            )
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.call("POST", path, b"".join(parts), f"multipart/form-data; boundary={boundary}")


def _http_submission(
    client: ApiClient, user: Any, agency_code: str, files: tuple[bytes, bytes]
) -> str:
    base = "/api/v1/submissions"
    body = {
        "procedure": NATIONAL_CODE,
        "agency": agency_code,
        "applicant": {
            "name": user.full_name,
            "id_number": user.national_id,
            "address": "12 Trần Phú, Rạch Giá",
            "phone": "0912345678",
        },
        "answers": ANSWERS,
    }
    status, draft = client.call(
        "POST", f"{base}/drafts", json.dumps(body).encode(), "application/json"
    )
    if status != 201:
        raise RuntimeError(f"create draft: {status} {draft}")
    tag = uuid.uuid4().hex
    contents = [
        ("to-khai.pdf", unique_pdf(files[0], tag)),
        ("giay-chung-sinh.jpg", unique_jpeg(files[1], tag)),
    ]
    version = draft["version"]
    for paper, (name, content) in zip(draft["papers"], contents, strict=True):
        status, answer = client.multipart(
            f"{base}/drafts/{draft['id']}/papers",
            {"expected_version": str(version), "required_paper": str(paper["required_paper"])},
            name,
            content,
        )
        if status != 200:
            raise RuntimeError(f"upload: {status} {answer}")
        version = answer["version"]
    status, answer = client.call(
        "POST",
        f"{base}/drafts/{draft['id']}/submit",
        b"",
        "application/json",
        **{"Idempotency-Key": tag},
    )
    if status != 201:
        raise RuntimeError(f"submit: {status} {answer}")
    return str(answer["code"])


# --- main ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    url = args.database_url
    if not url.startswith("postgres"):
        print("Give a PostgreSQL DATABASE_URL (the bench uses its own database on that server).")
        return 2
    bench_url = prepare_postgres(url, args.bench_db)
    files_dir = tempfile.mkdtemp(prefix="egov-bench-submission-")
    os.environ["EGOV_FILE_STORAGE_PATH"] = files_dir
    setup_django(bench_url)
    from django.db import connection

    from egov.core.audit import verify_chain
    from egov.dossiers.models import Dossier
    from egov.submissions.models import WalletDocument

    ok = True
    run_id = uuid.uuid4().hex[:6]
    try:
        files = base_files()
        print(
            f"Attachments: PDF {len(files[0]) / MB:.2f} MB, JPEG {len(files[1]) / MB:.2f} MB; "
            f"{args.clients} clients"
        )
        version, agency, users = fixture(args.clients, run_id)
        dossiers_before = Dossier.objects.count()
        wallet_before = WalletDocument.objects.count()
        connection.close()
        all_codes: list[str] = []

        if args.service:
            codes, latencies, errors, elapsed = _threads(
                args.service,
                args.clients,
                lambda index: _service_submission(users[index], version, agency, files),
            )
            _report("Service layer", codes, latencies, elapsed)
            all_codes += codes
            if errors:
                ok = False
                print(f"FAILED: {len(errors)} service submissions failed, e.g. {errors[0]}")

        if args.http:
            cookies = [session_cookie(user) for user in users]
            connection.close()
            server = start_server(
                {"DATABASE_URL": bench_url, "EGOV_FILE_STORAGE_PATH": files_dir}, args.port
            )
            try:
                local = threading.local()

                def one(index: int) -> str:
                    if not hasattr(local, "client"):
                        local.client = ApiClient(args.port, cookies[index])
                    return _http_submission(local.client, users[index], agency.code, files)

                codes, latencies, errors, elapsed = _threads(args.http, args.clients, one)
            finally:
                server.terminate()
                server.wait(timeout=30)
            _report(
                f"HTTP API ({args.clients} clients, separate server process)",
                codes,
                latencies,
                elapsed,
            )
            all_codes += codes
            if errors:
                ok = False
                print(f"FAILED: {len(errors)} HTTP submissions failed, e.g. {errors[0]}")

        made = Dossier.objects.count() - dossiers_before
        kept = WalletDocument.objects.count() - wallet_before
        if len(set(all_codes)) != len(all_codes) or made != len(all_codes):
            ok = False
            print(f"FAILED: {len(all_codes)} codes answered, {made} dossiers made, duplicates?")
        if kept != 2 * len(all_codes):
            ok = False
            print(f"FAILED: {kept} wallet documents kept for {len(all_codes)} submissions")
        result = verify_chain()
        if not result.ok:
            ok = False
            print(f"FAILED: audit chain broken: {result}")
        print(f"Checks: {made} dossiers, {kept} wallet copies, audit chain verified: {result.ok}")
    finally:
        connection.close()
        shutil.rmtree(files_dir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
