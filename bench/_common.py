"""What every benchmark script needs first: its own PostgreSQL database next to
the one named in DATABASE_URL, and Django set up against it."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parent.parent

# Benchmarks run a demo installation (generated secrets, simulators); outside the
# demo the platform refuses to start without real secrets (egov.core.checks).
os.environ.setdefault("EGOV_DEMO", "1")


def prepare_postgres(url: str, bench_db: str) -> str:
    """Return the URL of ``bench_db`` on the same server, creating the database."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [bench_db]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(bench_db)))
            print(f"Created database {bench_db}.")
    return urlunsplit(parts._replace(path=f"/{bench_db}"))


def setup_django(url: str, *, migrate: bool = True) -> None:
    """Point Django at ``url``, set it up and (by default) apply the migrations."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def gunicorn_command(
    host: str, port: int, *, workers: int, threads: int, app: str = "egov.wsgi"
) -> list[str]:
    """The platform under gunicorn as in production: ``workers`` processes with
    ``threads`` threads each (gthread, so HTTP/1.1 keep-alive works). ``app`` names
    another WSGI module served with the same flags (the framework ceiling)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        app,
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
    ]
