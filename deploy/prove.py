#!/usr/bin/env python
"""Bring the several-server topology up on this machine and prove it works.

Usage (from the repository root; needs PostgreSQL, Redis and Debian's nginx)::

    uv run python deploy/prove.py [--database-url postgres://postgres@127.0.0.1:5432/postgres]
                                  [--redis-url redis://127.0.0.1:6379/9] [--keep]

What it starts, standing in for three machines (docs: deploy/README.md):

* a fresh PostgreSQL database ``egov_deploy_proof`` (on the server the URL names),
  migrated, with the demo data loaded;
* two web nodes: gunicorn with ``deploy/gunicorn.conf.py`` on two ports, each with
  its own ``EGOV_VAR_DIR`` (nothing shared through the local disk) and the same
  secrets, sharing the file store (``EGOV_FILE_STORAGE_PATH``, an NFS mount in
  production), the PKI directory, the audit checkpoints, PostgreSQL and Redis;
* nginx with ``deploy/nginx/egov.conf.template`` in front of both.

Then it checks, printing each result:

1. **One platform**: a clerk signed in through node A receives a dossier through
   node A's API; node B serves the same dossier to the same session and the
   public lookup finds it through node B.
2. **Shared rate limits**: lookups of unknown codes alternate between the nodes;
   the limit (``EGOV_LOOKUP_UNKNOWN_LIMIT``) is reached after exactly that many
   lookups in all, not that many per node.
3. **No acknowledged request lost, none doubled**: clerks send new dossiers
   through nginx for a while, each with its own ``Idempotency-Key``, retrying
   after a failure with the same key; node B is killed with ``kill -9`` (master
   and workers) in the middle. Every dossier acknowledged (201/200) is in the
   database, and there is exactly one dossier per key.
4. **Background jobs never handle a row twice**: the background runner is started
   on *both* nodes at once (the recipe runs it on one; this is the mistake it
   must survive). Every SMS queued by the dossiers above reaches the SMS
   gateway's simulator exactly once.

Exits 0 when every check passes, 1 otherwise. The demo's published password and
TOTP key are used on a throwaway database; the processes run in demo mode
(plain HTTP, simulators on) because this machine has no certificate; the secrets
are explicit and identical on both nodes, as in production.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.cookiejar
import json
import os
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "KienGiang2020"  # noqa: S105 - the demo's published password
DEMO_TOTP_KEY = "JNUWK3SHNFQW4Z2EMVWW6MSGIEZDAMRQ"
CLERK = "motcua.xa"
PROOF_DB = "egov_deploy_proof"
UNKNOWN_LIMIT = 12
#: Secrets every node must share (outside the demo each is required; see docs/settings.md).
SHARED_SECRETS = (
    "EGOV_SECRET_KEY",
    "EGOV_AUDIT_KEY",
    "EGOV_PAYGOV_SECRET",
    "EGOV_SIGNATURES_AGENCY_PIN_SECRET",
    "APPLICANTS_POSTAL_API_KEY",
    "APPLICANTS_POSTAL_CALLBACK_SECRET",
    "EGOV_SMS_API_KEY",
    "EGOV_IDENTITY_CLIENT_SECRET",
    "EGOV_EXCHANGE_SECRET",
    "EGOV_DVCQG_SECRET",
    "EGOV_GOVREPORT_SECRET",
    "EGOV_LGSP_POPULATION_API_KEY",
    "EGOV_SIGNATURES_REMOTE_CALLBACK_SECRET",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def totp(key_b32: str, at: float | None = None) -> str:
    """RFC 6238 code (SHA-1, 30 s, 6 digits) as an authenticator app shows it."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(base64.b32decode(key_b32), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


# --- the processes -------------------------------------------------------------------


@dataclass
class Topology:
    work: Path
    database_url: str
    redis_url: str
    ports: dict[str, int] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)

    @property
    def edge(self) -> str:
        return f"http://127.0.0.1:{self.ports['edge']}"

    def node(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def env(self, node: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(self.secrets)
        shared = self.work / "shared"
        env.update(
            {
                "EGOV_DEMO": "1",
                "DATABASE_URL": self.database_url,
                "EGOV_CACHE": "redis",
                "EGOV_REDIS_URL": self.redis_url,
                "EGOV_VAR_DIR": str(self.work / f"node-{node}"),
                "EGOV_FILE_STORAGE_PATH": str(shared / "files"),
                "EGOV_SIGNATURES_PKI_DIR": str(shared / "pki"),
                "EGOV_AUDIT_CHECKPOINT_DIR": str(shared / "audit-checkpoints"),
                "EGOV_TRUST_X_FORWARDED_FOR": "true",
                "EGOV_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "EGOV_PUBLIC_BASE_URL": self.edge,
                "EGOV_SMS_API_URL": f"{self.edge}/thong-bao/mo-phong/sms/api/send",
                "APPLICANTS_POSTAL_API_URL": f"{self.edge}/ca-nhan/mo-phong/buu-dien/api",
                "EGOV_LOOKUP_UNKNOWN_LIMIT": str(UNKNOWN_LIMIT),
                "EGOV_LOOKUP_BROWSER_FREE_MISSES": "1000",
                "EGOV_LOG_FORMAT": "json",
                "EGOV_NOTIFY_BACKOFF_SECONDS": "1",
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def manage(self, *args: str, node: str = "a") -> None:
        subprocess.run(  # noqa: S603 - our own argv
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=self.env(node),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self, name: str, argv: list[str], *, env: dict[str, str] | None = None) -> None:
        log = open(self.work / f"{name}.log", "ab")  # noqa: SIM115 - kept open for the process
        self.procs[name] = subprocess.Popen(  # noqa: S603 - our own argv
            argv, cwd=REPO, env=env, stdout=log, stderr=log, start_new_session=True
        )

    def start_node(self, node: str) -> None:
        env = self.env(node)
        env.update(
            {
                "EGOV_BIND": f"127.0.0.1:{self.ports[node]}",
                "EGOV_WEB_WORKERS": "2",
                "EGOV_WEB_THREADS": "4",
            }
        )
        argv = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "egov.wsgi"]
        self.start(f"node-{node}", argv, env=env)
        wait_ready(f"{self.node(node)}/readyz", self.procs[f"node-{node}"])

    def start_background(self, node: str) -> None:
        argv = [sys.executable, "manage.py", "run_background", "--only", "notifications.send"]
        self.start(f"background-{node}", argv, env=self.env(node))

    def start_edge(self) -> None:
        template = (REPO / "deploy" / "nginx" / "egov.conf.template").read_text()
        site = fill_template(
            template,
            LISTEN=f"127.0.0.1:{self.ports['edge']}",
            NODE_A=f"127.0.0.1:{self.ports['a']}",
            NODE_B=f"127.0.0.1:{self.ports['b']}",
            STATIC_ROOT=str(self.work / "node-a" / "static"),
        )
        prefix = self.work / "nginx"
        (prefix / "logs").mkdir(parents=True, exist_ok=True)
        main = (
            "worker_processes 1;\n"
            f"pid {prefix}/nginx.pid;\n"
            f"error_log {prefix}/logs/error.log warn;\n"
            "daemon off;\n"
            "events { worker_connections 512; }\n"
            "http {\n"
            f"  access_log {prefix}/logs/access.log;\n"
            f"  client_body_temp_path {prefix}/body;\n"
            f"  proxy_temp_path {prefix}/proxy;\n"
            f"  include /etc/nginx/mime.types;\n{site}\n}}\n"
        )
        conf = prefix / "nginx.conf"
        conf.write_text(main)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        subprocess.run(  # noqa: S603 - our own argv
            [nginx, "-t", "-p", str(prefix), "-c", str(conf)], check=True, capture_output=True
        )
        self.start("edge", [nginx, "-p", str(prefix), "-c", str(conf)])
        wait_ready(f"{self.edge}/healthz", self.procs["edge"])

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.get(name)
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, sig)  # master and workers: the whole session
        proc.wait(timeout=30)

    def stop_all(self) -> None:
        for name in list(self.procs):
            try:
                self.kill(name, signal.SIGTERM)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                self.kill(name)


def fill_template(template: str, **values: str) -> str:
    """Replace the ``${NAME}`` placeholders (nginx's own ``$variables`` stay)."""
    lines = []
    for line in template.splitlines():
        if not line.lstrip().startswith("#"):
            for name, value in values.items():
                line = line.replace("${" + name + "}", value)
            if "${" in line:
                raise SystemExit(f"placeholder left in the nginx template: {line.strip()}")
        lines.append(line)
    return "\n".join(lines) + "\n"


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{proc.args} exited with {proc.returncode}; see its log")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - local
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} not ready after {timeout:g} s")


def create_database(admin_url: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PROOF_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PROOF_DB}"')
    parts = urllib.parse.urlsplit(admin_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{PROOF_DB}"))


def sql(database_url: str, query: str, params: tuple[object, ...] = ()) -> list[tuple]:
    import psycopg

    with psycopg.connect(database_url) as conn:
        return list(conn.execute(query, params).fetchall())  # type: ignore[arg-type]


# --- a clerk's browser session ---------------------------------------------------------


class Session:
    """A cookie jar signed in as a staff account, talking to any node."""

    def __init__(self, jar: http.cookiejar.CookieJar | None = None) -> None:
        # Sharing a jar shares the sign-in: a TOTP code is accepted once, so the
        # clerks of the load share one verified session (as tabs of one browser).
        self.jar = jar if jar is not None else http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def cookie(self, name: str) -> str:
        return next((c.value or "" for c in self.jar if c.name == name), "")

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> tuple[int, bytes, dict[str, str]]:
        req = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # noqa: S310
        try:
            with self.opener.open(req, timeout=timeout) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), dict(exc.headers)

    def form(self, url: str, fields: dict[str, str]) -> tuple[int, dict[str, str]]:
        self.request("GET", url)
        fields = {"csrfmiddlewaretoken": self.cookie("csrftoken"), **fields}
        status, _, headers = self.request(
            "POST",
            url,
            body=urllib.parse.urlencode(fields).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": url},
        )
        return status, headers

    def sign_in(self, base: str, username: str) -> None:
        status, headers = self.form(
            f"{base}/tai-khoan/dang-nhap/", {"username": username, "password": DEMO_PASSWORD}
        )
        if status != 302 or "xac-thuc" not in headers.get("Location", ""):
            raise SystemExit(f"sign-in of {username}: {status} {headers.get('Location')}")
        status, headers = self.form(f"{base}/tai-khoan/xac-thuc/", {"token": totp(DEMO_TOTP_KEY)})
        if status != 302:
            raise SystemExit(f"second step of {username}: {status}")

    def post_json(self, url: str, payload: object, key: str) -> tuple[int, dict]:
        status, body, _ = self.request(
            "POST",
            url,
            body=json.dumps(payload).encode(),
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": self.cookie("csrftoken"),
                "Idempotency-Key": key,
                "Referer": url,
            },
        )
        try:
            return status, json.loads(body or b"{}")
        except ValueError:
            return status, {}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


# --- the checks ------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    ok: bool
    detail: str


def find_receivable(top: Topology, session: Session) -> dict:
    """A (procedure, agency, papers) the clerk may receive: tried through node A's
    API, since which desk serves which agency is the platform's rule, not ours."""
    rows = sql(
        top.database_url,
        """
        SELECT p.national_code, u.code, v.id
          FROM procedures_procedureversion v
          JOIN procedures_procedure p ON p.id = v.procedure_id
          JOIN procedures_procedureversion_agencies va ON va.procedureversion_id = v.id
          JOIN core_unit u ON u.id = va.unit_id
         WHERE v.status = 'published' AND u.dissolved_at IS NULL
         ORDER BY u.level <> 'provincial_agency', p.national_code, u.code
        """,
    )
    answers: list[str] = []
    for code, agency, version_id in rows[:3000]:
        papers = [
            {"required_paper": pk, "copies": copies}
            for pk, copies in sql(
                top.database_url,
                "SELECT id, copies FROM procedures_requiredpaper "
                "WHERE version_id = %s AND NOT is_optional",
                (version_id,),
            )
        ]
        payload = {
            "procedure": code,
            "agency": agency,
            "applicant": {
                "name": "Nguyễn Văn Thử",
                "id_number": "091190004321",
                "phone": "0912345678",
            },
            "papers": papers,
        }
        status, body = session.post_json(
            f"{top.node('a')}/api/v1/dossiers", payload, key=f"probe-{uuid.uuid4()}"
        )
        if status == 201:
            return {"payload": payload, "code": body["code"]}
        answers.append(f"{code} at {agency}: {status} {json.dumps(body, ensure_ascii=False)[:200]}")
    shown = "\n  ".join(answers[:5])
    raise SystemExit(f"no procedure the demo clerk may receive was found:\n  {shown}")


def check_one_platform(top: Topology, session: Session, probe: dict) -> Result:
    code = probe["code"]
    status_b, body_b, _ = session.request("GET", f"{top.node('b')}/api/v1/dossiers/{code}")
    seen = status_b == 200 and json.loads(body_b).get("code") == code
    public, _, _ = Session().request("GET", f"{top.node('b')}/api/v1/public/dossiers/{code}")
    return Result(
        "one platform",
        seen and public == 200,
        f"dossier {code} received through node A; node B: staff API {status_b}, "
        f"public lookup {public}",
    )


def check_shared_limits(top: Topology) -> Result:
    statuses = []
    browser = Session()
    for i in range(UNKNOWN_LIMIT + 2):
        node = "a" if i % 2 == 0 else "b"
        status, _, _ = browser.request(
            "GET", f"{top.node(node)}/api/v1/public/dossiers/KHONG-CO-{i:04d}"
        )
        statuses.append((node, status))
    first_refusal = next((i for i, (_, s) in enumerate(statuses) if s == 429), None)
    ok = first_refusal == UNKNOWN_LIMIT and all(s == 404 for _, s in statuses[:UNKNOWN_LIMIT])
    shown = " ".join(f"{n.upper()}:{s}" for n, s in statuses)
    return Result(
        "shared rate limits",
        ok,
        f"limit {UNKNOWN_LIMIT} unknown codes per network; alternating nodes: {shown}",
    )


def check_kill_under_load(
    top: Topology, signed_in: Session, probe: dict, seconds: float, clerks: int
) -> Result:
    acknowledged: dict[str, str] = {}
    failures: list[str] = []
    retried = 0
    lock = threading.Lock()
    stop = threading.Event()

    def clerk(index: int) -> None:
        nonlocal retried
        session = Session(signed_in.jar)
        n = 0
        while not stop.is_set():
            n += 1
            key = f"proof-{index}-{n}-{uuid.uuid4().hex[:8]}"
            payload = dict(probe["payload"], note=f"proof {key}")
            for attempt in range(8):
                try:
                    status, body = session.post_json(f"{top.edge}/api/v1/dossiers", payload, key)
                except OSError:
                    status, body = 0, {}
                if status in (200, 201):
                    with lock:
                        acknowledged[key] = body["code"]
                    break
                with lock:
                    retried += 1
                time.sleep(0.2 * (attempt + 1))
            else:
                with lock:
                    failures.append(key)

    threads = [threading.Thread(target=clerk, args=(i,)) for i in range(clerks)]
    for t in threads:
        t.start()
    time.sleep(seconds / 2)
    before_kill = len(acknowledged)
    top.kill("node-b")  # kill -9 of the master and its workers
    time.sleep(seconds / 2)
    stop.set()
    for t in threads:
        t.join(timeout=120)

    # The note travels on the receipt's event: one row per dossier it created.
    rows = sql(
        top.database_url,
        "SELECT DISTINCT e.note, d.code FROM dossiers_dossierevent e "
        "JOIN dossiers_dossier d ON d.id = e.dossier_id WHERE e.note LIKE 'proof proof-%%'",
    )
    stored: dict[str, list[str]] = {}
    for note, code in rows:
        stored.setdefault(note.removeprefix("proof "), []).append(code)
    lost = [k for k in acknowledged if k not in stored]
    doubled = [k for k, codes in stored.items() if len(codes) > 1]
    mismatched = [k for k, c in acknowledged.items() if k in stored and stored[k] != [c]]
    ok = bool(acknowledged) and not lost and not doubled and not mismatched and not failures
    return Result(
        "kill -9 under load",
        ok,
        f"{clerks} clerks for {seconds:g} s through nginx, node B killed after "
        f"{before_kill} acknowledged; acknowledged {len(acknowledged)}, retries {retried}, "
        f"given up {len(failures)}; in the database: {len(stored)} keys, lost {len(lost)}, "
        f"doubled {len(doubled)}, code differs {len(mismatched)}",
    )


def check_background_once(top: Topology, timeout: float = 120) -> Result:
    top.start_background("a")
    top.start_background("b")
    query = (
        "SELECT count(*) FILTER (WHERE status = 'sent'), count(*) "
        "FROM notifications_notification WHERE channel = 'sms'"
    )
    deadline = time.monotonic() + timeout
    sent = total = 0
    while time.monotonic() < deadline:
        sent, total = sql(top.database_url, query)[0]
        if total and sent == total:
            break
        time.sleep(1)
    top.kill("background-a", signal.SIGTERM)
    top.kill("background-b", signal.SIGTERM)
    doubled = sql(
        top.database_url,
        "SELECT client_ref, count(*) FROM notifications_simulatedsms "
        "WHERE client_ref LIKE 'egov-%%' GROUP BY client_ref HAVING count(*) > 1",
    )
    received = sql(
        top.database_url,
        "SELECT count(DISTINCT client_ref) FROM notifications_simulatedsms "
        "WHERE client_ref LIKE 'egov-%%'",
    )[0][0]
    ok = total > 0 and sent == total and received == total and not doubled
    return Result(
        "background jobs once",
        ok,
        f"runners on both nodes; SMS queued {total}, sent {sent}, reached the gateway "
        f"{received}, reached it twice {len(doubled)}",
    )


@contextmanager
def topology(args: argparse.Namespace) -> Iterator[Topology]:
    work = Path(tempfile.mkdtemp(prefix="egov-deploy-proof-"))
    top = Topology(work=work, database_url="", redis_url=args.redis_url)
    top.ports = {"a": _free_port(), "b": _free_port(), "edge": _free_port()}
    top.secrets = {name: secrets.token_urlsafe(48) for name in SHARED_SECRETS}
    try:
        if args.reuse_database:
            parts = urllib.parse.urlsplit(args.database_url)
            top.database_url = urllib.parse.urlunsplit(parts._replace(path=f"/{PROOF_DB}"))
        else:
            top.database_url = create_database(args.database_url)
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
        print(f"work directory {work}; database {PROOF_DB}; redis {args.redis_url}")
        started = time.monotonic()
        if not args.reuse_database:
            top.manage("migrate", "--no-input")
            top.manage("load_demo")
        top.manage("collectstatic", "--no-input", "-v", "0")
        print(f"migrated and loaded the demo in {time.monotonic() - started:.0f} s")
        top.start_node("a")
        top.start_node("b")
        top.start_edge()
        print(f"node A :{top.ports['a']}, node B :{top.ports['b']}, nginx :{top.ports['edge']}")
        yield top
    finally:
        top.stop_all()
        if args.keep:
            print(f"kept {work} and database {PROOF_DB}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "EGOV_PROOF_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
        help="A PostgreSQL server to create the proof's own database on.",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/9",
        help="A Redis database the proof may empty.",
    )
    parser.add_argument("--seconds", type=float, default=12, help="Length of the load (kill -9).")
    parser.add_argument("--clerks", type=int, default=6, help="Concurrent clerks in the load.")
    parser.add_argument("--keep", action="store_true", help="Keep the files and database.")
    parser.add_argument(
        "--reuse-database",
        action="store_true",
        help="Use the database a --keep run left (skips migrating and loading the demo).",
    )
    args = parser.parse_args(argv)
    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
        print("nginx is missing: apt-get install nginx-light (or nginx)", file=sys.stderr)
        return 2
    with topology(args) as top:
        session = Session()
        session.sign_in(top.node("a"), CLERK)
        probe = find_receivable(top, session)
        results = [
            check_one_platform(top, session, probe),
            check_shared_limits(top),
            check_kill_under_load(top, session, probe, args.seconds, args.clerks),
        ]
        top.start_node("b")  # node B comes back, as systemd would restart it
        results.append(check_background_once(top))
    for result in results:
        print(f"[{'ok' if result.ok else 'FAILED'}] {result.name}: {result.detail}")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
