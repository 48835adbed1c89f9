"""Memory of one web worker (issue 16): resident size and heavy libraries loaded.

Each measurement runs in a fresh Python process that does what a gunicorn worker
does (imports ``egov.wsgi``, then serves a request to ``/healthz`` and one to
``/``) and prints its resident set size (``VmRSS`` of ``/proc/self/status``) at
each step plus the heavy libraries found in ``sys.modules``. The same is done for
plain Django (the settings of ``django-admin startproject``, set up inside this
script) as the baseline.

    uv run python bench/bench_memory.py            # both, migrating a scratch SQLite first
    uv run python bench/bench_memory.py --repeat 3 # median of three fresh processes each
    uv run python bench/bench_memory.py --repo ../main  # the same for another checkout

The platform runs as the demo (``EGOV_DEMO=1``) against a scratch SQLite database
in a temporary ``EGOV_VAR_DIR`` (migrated in a separate process, so the
migrations' own imports are not counted). Exits 1 if a request does not answer.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

# ``--repo`` measures another checkout (the figures "before" a change).
REPO_ROOT = Path(os.environ.get("BENCH_MEMORY_REPO") or Path(__file__).resolve().parent.parent)

# Top-level packages (or dotted modules) that weigh on a worker when imported.
HEAVY = [
    "fpdf",
    "openpyxl",
    "rapidfuzz",
    "qrcode",
    "PIL",
    "jsonschema",
    "jsonschema_specifications",
    "referencing",
    "pyhanko",
    "pyhanko_certvalidator",
    "asn1crypto",
    "lxml",
    "signxml",
    "cryptography.x509",
    "cryptography.hazmat.primitives.asymmetric.rsa",
    "pypdf",
    "reportlab",
    "fontTools",
    "uharfbuzz",
    "pkcs11",
    "authlib",
    "joserfc",
    "jwt",
    "holidays",
    "vietnam_provinces",
    "redis",
    "prometheus_client",
    "psycopg",
    "psycopg_pool",
    "defusedxml",
    "aiohttp",
    "requests",
    "httpx",
    "yaml",
    "xml.dom.minidom",
    "polib",
    "ninja",
    "pydantic",
    "pydantic_core",
]


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def heavy_loaded() -> list[str]:
    return [name for name in HEAVY if name in sys.modules]


def _plain_settings() -> None:
    """The settings of ``django-admin startproject`` with an in-memory database."""
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=["localhost"],
        INSTALLED_APPS=[
            "django.contrib.admin",
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "django.contrib.staticfiles",
        ],
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        ROOT_URLCONF=__name__,
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [],
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                    ]
                },
            }
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        STATIC_URL="static/",
        USE_TZ=True,
    )


def _plain_urls() -> list:
    from django.contrib import admin
    from django.http import HttpRequest, HttpResponse, JsonResponse
    from django.urls import path

    def healthz(request: HttpRequest) -> JsonResponse:
        return JsonResponse({"status": "ok"})

    def home(request: HttpRequest) -> HttpResponse:
        return HttpResponse("<!doctype html><title>Home</title><h1>Home</h1>")

    return [path("healthz", healthz), path("", home), path("admin/", admin.site.urls)]


def __getattr__(name: str) -> object:
    # ROOT_URLCONF points at this module: build the patterns when Django asks.
    if name == "urlpatterns":
        return _plain_urls()
    raise AttributeError(name)


def child(kind: str) -> None:
    """Run in a fresh process: start like a worker, serve two requests, report."""
    figures: dict[str, object] = {"kind": kind, "start_kib": rss_kib()}
    sys.path.insert(0, str(REPO_ROOT))
    if kind == "plain":
        sys.modules.setdefault(__name__, sys.modules["__main__"])
        _plain_settings()
        from django.core.wsgi import get_wsgi_application

        get_wsgi_application()
    else:
        os.environ["DJANGO_SETTINGS_MODULE"] = "egov.settings"
        import egov.wsgi  # noqa: F401  (what gunicorn imports)
    figures["after_import_kib"] = rss_kib()
    figures["heavy_after_import"] = heavy_loaded()

    from django.test import Client

    client = Client(HTTP_HOST="localhost")  # a host both settings allow
    statuses = {}
    for url in ("/healthz", "/"):
        statuses[url] = client.get(url).status_code
        figures[f"after_{url}_kib"] = rss_kib()
    figures["statuses"] = statuses
    figures["heavy_after_requests"] = heavy_loaded()
    figures["modules"] = len(sys.modules)
    print(json.dumps(figures))


def run_child(kind: str, env: dict[str, str]) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind],
        env=env,
        cwd=env.get("BENCH_MEMORY_REPO", REPO_ROOT),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{kind}: the measuring process failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", choices=["egov", "plain"], help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=1, help="fresh processes per kind")
    parser.add_argument("--no-migrate", action="store_true", help="use DATABASE_URL as it is")
    parser.add_argument("--repo", help="measure the platform of another checkout (e.g. main)")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0

    scratch = tempfile.TemporaryDirectory(prefix="bench-memory-")
    env = dict(os.environ)
    env.setdefault("EGOV_DEMO", "1")
    if args.repo:
        env["BENCH_MEMORY_REPO"] = str(Path(args.repo).resolve())
    if not args.no_migrate:
        env["EGOV_VAR_DIR"] = scratch.name
        env.pop("DATABASE_URL", None)
        print("Migrating a scratch SQLite database…", flush=True)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
            env=env,
            cwd=env.get("BENCH_MEMORY_REPO", REPO_ROOT),
            check=True,
        )

    ok = True
    results: dict[str, list[dict]] = {}
    for kind in ("plain", "egov"):
        results[kind] = [run_child(kind, env) for _ in range(args.repeat)]
        for run in results[kind]:
            for url, status in run["statuses"].items():
                if status >= 500:
                    print(f"FAIL {kind} {url} answered {status}")
                    ok = False

    def med(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in results[kind]) / 1024

    print(f"\nResident memory (MiB, median of {args.repeat} fresh process(es) each)")
    print(f"{'':<8}{'interpreter':>12}{'import wsgi':>13}{'/healthz':>10}{'/':>8}{'modules':>9}")
    for kind in ("plain", "egov"):
        last = results[kind][-1]
        print(
            f"{kind:<8}{med(kind, 'start_kib'):>12.1f}{med(kind, 'after_import_kib'):>13.1f}"
            f"{med(kind, 'after_/healthz_kib'):>10.1f}{med(kind, 'after_/_kib'):>8.1f}"
            f"{last['modules']:>9}"
        )
    print(f"status codes: { {k: v[-1]['statuses'] for k, v in results.items()} }")
    for kind in ("plain", "egov"):
        last = results[kind][-1]
        print(f"\nheavy libraries loaded by {kind}:")
        print(f"  after import egov.wsgi: {', '.join(last['heavy_after_import']) or '-'}")
        late = [m for m in last["heavy_after_requests"] if m not in last["heavy_after_import"]]
        print(f"  added by the two requests: {', '.join(late) or '-'}")
    scratch.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
