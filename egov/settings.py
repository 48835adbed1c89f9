"""Django settings for the egov platform.

Every value an operator may change is read through :func:`egov.conf.env`, declared
once here with its help text; ``docs/settings.md`` is generated from these calls.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from egov.conf import cache_settings, env

BASE_DIR = Path(__file__).resolve().parent.parent

VAR_DIR = Path(
    env(
        "EGOV_VAR_DIR",
        str(BASE_DIR / "var"),
        "Directory for the embedded database, uploaded files, generated secrets and outgoing "
        "mail in the demo set-up.",
        shown_default="<checkout>/var",
    )
)

DEBUG = env("EGOV_DEBUG", False, "Show Django's debug pages. Never in production.", "bool")

EGOV_DEMO = env(
    "EGOV_DEMO",
    # pytest sets PYTEST_VERSION before it loads these settings: the test suite
    # declares itself a demo that way (it cannot export a variable any earlier).
    "PYTEST_VERSION" in os.environ,
    "This installation is a demonstration (`make run` exports EGOV_DEMO=1) or the test "
    "suite: secrets left empty are generated once into EGOV_VAR_DIR/secrets/, the "
    "simulators of outside systems are on, pages are served over plain HTTP, and the "
    "start-up refusal of missing or published secrets is skipped. Never in production: "
    "`manage.py check --deploy` fails while it is on.",
    "bool",
    shown_default="false (true while pytest runs)",
)


def _generated_secret(path: Path) -> str:
    """A random secret kept in ``path``, made once: only for the demo, where nobody
    configures secrets but every process (server, background jobs, simulators) must
    share them. Created through a hard link so parallel processes agree on one."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        draft.write_text(secrets.token_urlsafe(50))
        draft.chmod(0o600)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            draft.unlink()
    return path.read_text().strip()


def demo_secret(name: str) -> str:
    """The generated value of secret ``name`` in the demo; empty outside it (the
    deploy checks of ``egov.core.checks`` then refuse to start)."""
    return _generated_secret(VAR_DIR / "secrets" / name) if EGOV_DEMO else ""


SECRET_KEY = env(
    "EGOV_SECRET_KEY",
    "",
    "Secret used to sign sessions and tokens (at least 50 random characters). Required "
    "outside the demo; in the demo, when empty, one is generated once and kept in "
    "EGOV_VAR_DIR/secret_key.",
) or (_generated_secret(VAR_DIR / "secret_key") if EGOV_DEMO else "")

ALLOWED_HOSTS = env(
    "EGOV_ALLOWED_HOSTS",
    ["127.0.0.1", "localhost"],
    "Comma-separated host names this site answers to.",
    "list",
)
CSRF_TRUSTED_ORIGINS = env(
    "EGOV_CSRF_TRUSTED_ORIGINS",
    [],
    "Comma-separated origins (scheme://host[:port]) trusted for form posts behind a proxy.",
    "list",
)

DATABASES = {
    "default": dj_database_url.parse(
        env(
            "DATABASE_URL",
            f"sqlite:///{VAR_DIR / 'egov.sqlite3'}",
            "Database URL: sqlite:///path (embedded default) or "
            "postgres://user:password@host:5432/name (production).",
            shown_default="sqlite:///<EGOV_VAR_DIR>/egov.sqlite3",
        ),
        conn_max_age=60,
        conn_health_checks=True,
    )
}
EGOV_DB_POOL_SIZE = env(
    "EGOV_DB_POOL_SIZE",
    0,
    "PostgreSQL only: keep up to this many connections per process in psycopg's pool "
    "(Django's OPTIONS pool) instead of one persistent connection per thread; a connection "
    "handed back broken is dropped, so no request pays a health-check round trip. Set it to "
    "at least the gunicorn threads per worker. 0: no pool.",
    "int",
)
EGOV_DB_PREPARED = env(
    "EGOV_DB_PREPARED",
    False,
    "PostgreSQL only: send parameters separately from the query (server-side binding), "
    "so that psycopg prepares a query run often on a connection and PostgreSQL stops "
    "planning it again on every request (the public lookup's join). Best with "
    "EGOV_DB_POOL_SIZE, which keeps connections, and their prepared statements, alive.",
    "bool",
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    if EGOV_DB_POOL_SIZE > 0:
        # The pool replaces persistent connections. A connection handed back broken
        # is dropped by the pool; no round trip is spent checking each one out.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
        _pg_options["pool"] = {
            "min_size": 1,
            "max_size": EGOV_DB_POOL_SIZE,
            "timeout": 10,
        }
    if EGOV_DB_PREPARED:
        _pg_options["server_side_binding"] = True
        # Prepare from the second run on a connection (psycopg's default is the fifth).
        _pg_options["prepare_threshold"] = 2
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so two writers queue
    # instead of failing with "database is locked" halfway through.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

CACHES = cache_settings(
    env(
        "EGOV_CACHE",
        "memory",
        "Where counters and cached pages live: memory (each process its own; one process "
        "or tests), file (shared by the processes of one server, under EGOV_VAR_DIR/cache) "
        "or database (shared by every server; run `manage.py createcachetable`) or redis "
        "(shared by every server, atomic counters; EGOV_REDIS_URL). With several worker "
        "processes or servers use redis (or file/database), or the lookup rate limits count "
        "per process.",
    )
    .strip()
    .lower(),
    VAR_DIR,
    redis_url=env(
        "EGOV_REDIS_URL",
        "redis://127.0.0.1:6379/0",
        "Redis for EGOV_CACHE=redis (redis:// or rediss:// with TLS; a password goes in the "
        "URL). Test workers use the database numbers after this one.",
    ),
    worker=os.environ.get("PYTEST_XDIST_WORKER"),
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Serves the API documentation's Swagger UI from our own static files (not a CDN),
    # which the Content-Security-Policy allows.
    "ninja",
    "treebeard",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "egov.core",
    "egov.accounts",
    "egov.procedures",
    "egov.dossiers",
    "egov.portal",
    "egov.identity",
    "egov.submissions",
    "egov.applicants",
    "egov.payments",
    "egov.notifications",
    "egov.feedback",
    "egov.documents",
    "egov.outgoing",
    "egov.workfiles",
    "egov.quality",
    "egov.signatures",
    "egov.lgsp",
    "egov.tasks",
    "egov.dashboards",
    "egov.reporting",
    "egov.exchange",
]

MIDDLEWARE = [
    "egov.core.metrics.MetricsMiddleware",
    "egov.core.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "egov.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "egov.core.locale_middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before anything reads form fields: text arrives in NFC (Vietnamese in one form).
    "egov.core.unicode_input.NFCInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # Pages: a domain refusal no view handled becomes an error page, not a 500.
    "egov.core.errors.DomainErrorMiddleware",
]

ROOT_URLCONF = "egov.urls"
WSGI_APPLICATION = "egov.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "egov" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "egov.core.context_processors.platform",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:staff-home"
LOGOUT_REDIRECT_URL = "core:public-home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {
            "min_length": env(
                "EGOV_PASSWORD_MIN_LENGTH", 10, "Minimum length of an account password.", "int"
            )
        },
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "egov.accounts.validators.LettersAndDigitsValidator"},
]

# Lockout after repeated failed sign-ins (django-axes), counted per user name and
# client address (a stranger's failures do not lock the owner out), with a higher
# per-name limit against slow guessing from many addresses (egov.accounts.lockout).
AXES_FAILURE_LIMIT = env(
    "EGOV_LOGIN_FAILURE_LIMIT",
    5,
    "Failed sign-ins for one user name from one client address before that address "
    "is locked out of the account for a while.",
    "int",
)
EGOV_LOGIN_NAME_FAILURE_LIMIT = env(
    "EGOV_LOGIN_NAME_FAILURE_LIMIT",
    30,
    "Failed sign-ins for one user name from all addresses together before the account "
    "is locked for a while (against guessing spread over many addresses).",
    "int",
)
AXES_COOLOFF_TIME = timedelta(
    minutes=env(
        "EGOV_LOGIN_LOCKOUT_MINUTES",
        15,
        "Minutes a locked account stays locked after too many failed sign-ins.",
        "int",
    )
)
# Self-registration attempts per client address (egov.accounts.throttle).
EGOV_REGISTRATION_LIMIT = env(
    "EGOV_REGISTRATION_LIMIT",
    10,
    "Registration attempts accepted from one client address per window.",
    "int",
)
EGOV_REGISTRATION_WINDOW_SECONDS = env(
    "EGOV_REGISTRATION_WINDOW_SECONDS",
    3600,
    "Length of the window of EGOV_REGISTRATION_LIMIT, in seconds.",
    "int",
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_HANDLER = "egov.accounts.lockout.TwoLimitLockoutHandler"
# The same address the audit log and the rate limits see (proxy header only if trusted).
AXES_CLIENT_IP_CALLABLE = "egov.core.middleware.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "egov.accounts.views.lockout_response"
AXES_VERBOSE = False
# Never by address alone: a whole one-stop desk shares one NAT address, so locking
# by IP would lock out every clerk of an office at once.

SITE_NAME = env(
    "EGOV_SITE_NAME",
    "Chính quyền điện tử tỉnh Kiên Giang",
    "Name of the platform shown in page headers and authenticator apps.",
)
OTP_TOTP_ISSUER = SITE_NAME

LANGUAGE_CODE = env(
    "EGOV_LANGUAGE", "vi", "Default language of pages: vi (Vietnamese) or en (English)."
)
EGOV_USE_BROWSER_LANGUAGE = env(
    "EGOV_USE_BROWSER_LANGUAGE",
    False,
    "Pick the page language from the browser's Accept-Language header. Off: Vietnamese "
    "unless the visitor chose English with the language switch.",
    "bool",
)
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "egov" / "locale"]
TIME_ZONE = env(
    "EGOV_TIME_ZONE", "Asia/Ho_Chi_Minh", "Time zone of the province (deadlines, dates)."
)
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "egov" / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env(
                "EGOV_FILE_STORAGE_PATH",
                str(VAR_DIR / "files"),
                "Directory where uploaded and generated files are stored.",
                shown_default="<EGOV_VAR_DIR>/files",
            )
        },
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

EMAIL_BACKEND = env(
    "EGOV_EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend",
    "Django e-mail backend; the default writes each message to EGOV_VAR_DIR/mail.",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env("EGOV_EMAIL_HOST", "localhost", "SMTP server for official e-mail.")
EMAIL_PORT = env("EGOV_EMAIL_PORT", 25, "SMTP port.", "int")
DEFAULT_FROM_EMAIL = env(
    "EGOV_DEFAULT_FROM_EMAIL", "noreply@kiengiang.gov.vn", "Sender address of platform mail."
)

# --- HTTPS and security headers (see README "Production settings") ---
# Production is HTTPS-only by default; the demo serves plain HTTP on 127.0.0.1.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env(
    "EGOV_SECURE_COOKIES",
    not EGOV_DEMO,
    "Send the session and CSRF cookies over HTTPS only.",
    "bool",
    shown_default="true (false in the demo)",
)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env(
    "EGOV_SSL_REDIRECT",
    not EGOV_DEMO,
    "Redirect every plain-HTTP request to HTTPS. Behind a proxy that terminates TLS, "
    "set EGOV_PROXY_HTTPS_HEADER too, or every request loops back to itself.",
    "bool",
    shown_default="true (false in the demo)",
)
# Load balancers probe the health check over plain HTTP and take a redirect for a failure.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env(
    "EGOV_HSTS_SECONDS",
    0 if EGOV_DEMO else 31_536_000,
    "Strict-Transport-Security max-age in seconds: browsers that saw it refuse plain "
    "HTTP to this host for that long. 0 sends no header.",
    "int",
    shown_default="31536000 (one year; 0 in the demo)",
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env(
    "EGOV_HSTS_INCLUDE_SUBDOMAINS",
    True,
    "Add includeSubDomains to Strict-Transport-Security (covers the names below this "
    "host only, not its siblings).",
    "bool",
)
SECURE_HSTS_PRELOAD = env(
    "EGOV_HSTS_PRELOAD",
    False,
    "Add preload to Strict-Transport-Security. Preloading is decided for a whole "
    "registrable domain (e.g. kiengiang.gov.vn) by its owner, not by one application.",
    "bool",
)
_PROXY_HTTPS_HEADER = env(
    "EGOV_PROXY_HTTPS_HEADER",
    "",
    "Name of the header by which the reverse proxy in front tells that the visitor "
    "came over HTTPS with the value `https`, e.g. X-Forwarded-Proto. Set it only when "
    "the proxy always sets or overwrites that header; empty trusts no header.",
)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _PROXY_HTTPS_HEADER.strip().upper().replace("-", "_"), "https")
    if _PROXY_HTTPS_HEADER.strip()
    else None
)
SILENCED_SYSTEM_CHECKS: list[str] = []
if not SECURE_HSTS_PRELOAD:
    # Declining preload is deliberate (see EGOV_HSTS_PRELOAD), not an oversight.
    SILENCED_SYSTEM_CHECKS.append("security.W021")
SESSION_COOKIE_AGE = 8 * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy of every page (egov.core.middleware.ContentSecurityPolicy):
# no inline script or style anywhere. form-action also lists the origins a form's
# answer may redirect to (the payment platform's page: see that middleware).
EGOV_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
EGOV_CSP_FORM_ACTION = env(
    "EGOV_CSP_FORM_ACTION",
    [],
    "Comma-separated origins (https://host) a form's answer may also redirect to, "
    "besides this site and the payment platform's page (EGOV_PAYGOV_PAY_URL), which "
    "are allowed already.",
    "list",
)

# --- Platform rules kept as settings (see docs/settings.md) ---

EGOV_TRUST_X_FORWARDED_FOR = env(
    "EGOV_TRUST_X_FORWARDED_FOR",
    False,
    "Take the client IP for the audit log from X-Forwarded-For (only behind a trusted proxy).",
    "bool",
)
EGOV_AGENCY_CODE_PATTERNS = env(
    "EGOV_AGENCY_CODE_PATTERNS",
    [r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$", r"^[A-Z]\d{2}(\.\d{2,3}){0,4}$"],
    "Comma-separated regular expressions an electronic identifier code (mã định danh) must "
    "match one of: the pre-2025 form 000.00.00.H33 (QĐ 20/2020) and the post-2025 dotted "
    "form H33.151.01 (QĐ 09/2025, pattern to verify).",
    "list",
)
EGOV_OFFICE_HOURS = env(
    "EGOV_OFFICE_HOURS",
    "07:30-11:30,13:30-17:00",
    "Working sessions of a working day, comma-separated HH:MM-HH:MM ranges.",
)
EGOV_WORKING_WEEKDAYS = env(
    "EGOV_WORKING_WEEKDAYS",
    "0,1,2,3,4",
    "Working weekdays, comma-separated, Monday=0 … Sunday=6.",
)
EGOV_DOSSIER_SEQUENCE_RESET = env(
    "EGOV_DOSSIER_SEQUENCE_RESET",
    "daily",
    "When the dossier code sequence of an agency restarts at 0001: daily or yearly "
    "(domain rule to verify; daily by default).",
)
EGOV_CALENDAR_CACHE_SECONDS = env(
    "EGOV_CALENDAR_CACHE_SECONDS",
    60,
    "Seconds a process keeps the working-day calendar (holidays and overrides) in memory.",
    "int",
)

# --- Audit log anchoring (ADR 2): the keyed seal and the signed checkpoints ---


EGOV_AUDIT_KEY = env(
    "EGOV_AUDIT_KEY",
    "",
    "Secret key of the audit log's keyed seal and of its signed checkpoints (HMAC-SHA256). "
    "It must never be stored in the database: a person who can rewrite the database must "
    "not be able to re-seal the log. Required outside the demo (with several servers, the "
    "same long random value on each; keep a copy where the auditors can reach it); in the "
    "demo, when empty, one is generated once into EGOV_VAR_DIR/secrets/.",
) or demo_secret("EGOV_AUDIT_KEY")
EGOV_AUDIT_CHECKPOINT_DIR = env(
    "EGOV_AUDIT_CHECKPOINT_DIR",
    str(VAR_DIR / "audit-checkpoints"),
    "Directory the signed audit checkpoints are written to (one JSON file each) and read "
    "back from by `manage.py verify_audit`. Put it outside the database server, ideally on "
    "storage the database administrators cannot rewrite.",
    shown_default="<EGOV_VAR_DIR>/audit-checkpoints",
)
EGOV_AUDIT_CHECKPOINT_STORES = env(
    "EGOV_AUDIT_CHECKPOINT_STORES",
    ["egov.core.audit_checkpoints.FileCheckpointStore"],
    "Comma-separated dotted paths of the places each audit checkpoint is exported to "
    "(classes with save() and load(); the file store writes to EGOV_AUDIT_CHECKPOINT_DIR).",
    "list",
)
EGOV_AUDIT_CHECKPOINT_HOURS = env(
    "EGOV_AUDIT_CHECKPOINT_HOURS",
    24,
    "Hours between two signed audit checkpoints written by the background job "
    "(`manage.py audit_checkpoint` writes one at once).",
    "int",
)

EGOV_PUBLIC_BASE_URL = env(
    "EGOV_PUBLIC_BASE_URL",
    "http://127.0.0.1:8000",
    "Public address of the platform, printed in QR codes and links on forms and notices.",
)
EGOV_FORMS_PLACE_NAME = env(
    "EGOV_FORMS_PLACE_NAME",
    "Kiên Giang",
    'Place name printed before the date on forms ("Kiên Giang, ngày … tháng … năm …").',
)
EGOV_LOOKUP_WINDOW_SECONDS = env(
    "EGOV_LOOKUP_WINDOW_SECONDS",
    600,
    "Window for counting public dossier lookups from one network (an IPv4 address or an "
    "IPv6 /64) and from one SMS sender number.",
    "int",
)
EGOV_LOOKUP_UNKNOWN_LIMIT = env(
    "EGOV_LOOKUP_UNKNOWN_LIMIT",
    150,
    "Lookups of unknown dossier codes one network may make per window; then every lookup "
    "from it waits for the next window (stops scripts guessing codes). Thousands of people "
    "share one address behind a carrier's NAT, each browser is slowed on its own "
    "(EGOV_LOOKUP_BROWSER_*): keep this far above what one shared address sees in normal use.",
    "int",
)
EGOV_LOOKUP_LIMIT = env(
    "EGOV_LOOKUP_LIMIT",
    600,
    "All public dossier lookups one network may make per window (codes are sequential: "
    "this keeps walking through them slow).",
    "int",
)
EGOV_LOOKUP_BROWSER_FREE_MISSES = env(
    "EGOV_LOOKUP_BROWSER_FREE_MISSES",
    5,
    "Unknown dossier codes one browser (named by a signed cookie) may look up in a row "
    "before it has to wait; a code found ends the run.",
    "int",
)
EGOV_LOOKUP_BROWSER_DELAY_SECONDS = env(
    "EGOV_LOOKUP_BROWSER_DELAY_SECONDS",
    30,
    "First wait, in seconds, of a browser past its free unknown codes; each further unknown "
    "code in the same run doubles it.",
    "int",
)
EGOV_LOOKUP_BROWSER_MAX_DELAY_SECONDS = env(
    "EGOV_LOOKUP_BROWSER_MAX_DELAY_SECONDS",
    3600,
    "Longest wait, in seconds, the doubling gives a browser.",
    "int",
)

EGOV_MAX_UPLOAD_BYTES = env(
    "EGOV_MAX_UPLOAD_BYTES",
    10 * 1024 * 1024,
    "Largest paper an applicant may upload, in bytes (PDF, JPEG or PNG, checked by content).",
    "int",
)
DATA_UPLOAD_MAX_MEMORY_SIZE = EGOV_MAX_UPLOAD_BYTES + 1024 * 1024
EGOV_MAX_UPLOAD_PDF_PAGES = env(
    "EGOV_MAX_UPLOAD_PDF_PAGES",
    1000,
    "Most pages an uploaded PDF may have. Larger ones are refused before the full check, "
    "whose cost grows with the page tree (a crafted file of a few MB can hold 150,000 pages).",
    "int",
)

EGOV_SIMULATORS = env(
    "EGOV_SIMULATORS",
    EGOV_DEMO,
    "Serve the local simulators of outside systems (national identity provider, payment "
    "platform, SMS gateway, postal service) under each app's mo-phong/ path; their "
    "operator pages need a platform operator's account. Only for the demo and tests: "
    "outside the demo the platform refuses to start while it is on.",
    "bool",
    shown_default="false (true in the demo)",
)

# --- Settings of the portal apps, one module each ---
from egov.settings_apps.applicants import *  # noqa: E402, F403
from egov.settings_apps.dashboards import *  # noqa: E402, F403
from egov.settings_apps.documents import *  # noqa: E402, F403
from egov.settings_apps.exchange import *  # noqa: E402, F403
from egov.settings_apps.feedback import *  # noqa: E402, F403
from egov.settings_apps.identity import *  # noqa: E402, F403
from egov.settings_apps.integrations import *  # noqa: E402, F403
from egov.settings_apps.lgsp import *  # noqa: E402, F403
from egov.settings_apps.notifications import *  # noqa: E402, F403
from egov.settings_apps.outgoing import *  # noqa: E402, F403
from egov.settings_apps.payments import *  # noqa: E402, F403
from egov.settings_apps.portal import *  # noqa: E402, F403
from egov.settings_apps.quality import *  # noqa: E402, F403
from egov.settings_apps.reporting import *  # noqa: E402, F403
from egov.settings_apps.signatures import *  # noqa: E402, F403
from egov.settings_apps.submissions import *  # noqa: E402, F403
from egov.settings_apps.workfiles import *  # noqa: E402, F403

# Secrets have no published default. The demo generates each empty one once (every
# process of the demo reads the same files); outside the demo an empty one stays
# empty and egov.core.checks refuses to start.
if EGOV_DEMO:
    EGOV_PAYGOV_SECRET = EGOV_PAYGOV_SECRET or demo_secret("EGOV_PAYGOV_SECRET")  # noqa: F405
    EGOV_DVCQG_SECRET = EGOV_DVCQG_SECRET or demo_secret("EGOV_DVCQG_SECRET")  # noqa: F405
    EGOV_SIGNATURES_AGENCY_PIN_SECRET = EGOV_SIGNATURES_AGENCY_PIN_SECRET or demo_secret(  # noqa: F405
        "EGOV_SIGNATURES_AGENCY_PIN_SECRET"
    )
    EGOV_SIGNATURES_REMOTE_CALLBACK_SECRET = EGOV_SIGNATURES_REMOTE_CALLBACK_SECRET or demo_secret(  # noqa: F405
        "EGOV_SIGNATURES_REMOTE_CALLBACK_SECRET"
    )
    APPLICANTS_POSTAL_API_KEY = APPLICANTS_POSTAL_API_KEY or demo_secret(  # noqa: F405
        "APPLICANTS_POSTAL_API_KEY"
    )
    APPLICANTS_POSTAL_CALLBACK_SECRET = (
        APPLICANTS_POSTAL_CALLBACK_SECRET  # noqa: F405
        or demo_secret("APPLICANTS_POSTAL_CALLBACK_SECRET")
    )
    EGOV_SMS_API_KEY = EGOV_SMS_API_KEY or demo_secret("EGOV_SMS_API_KEY")  # noqa: F405
    EGOV_GOVREPORT_SECRET = EGOV_GOVREPORT_SECRET or demo_secret(  # noqa: F405
        "EGOV_GOVREPORT_SECRET"
    )
    EGOV_EXCHANGE_SECRET = EGOV_EXCHANGE_SECRET or demo_secret("EGOV_EXCHANGE_SECRET")  # noqa: F405
    EGOV_IDENTITY_CLIENT_SECRET = EGOV_IDENTITY_CLIENT_SECRET or demo_secret(  # noqa: F405
        "EGOV_IDENTITY_CLIENT_SECRET"
    )
    EGOV_LGSP_POPULATION_API_KEY = EGOV_LGSP_POPULATION_API_KEY or demo_secret(  # noqa: F405
        "EGOV_LGSP_POPULATION_API_KEY"
    )
# The demo signs with its test PKI unless told otherwise; its files live beside the data.
if EGOV_DEMO and "EGOV_SIGNATURES_DEMO_PKI" not in os.environ:
    EGOV_SIGNATURES_DEMO_PKI = True
EGOV_SIGNATURES_PKI_DIR = EGOV_SIGNATURES_PKI_DIR or str(VAR_DIR / "pki")  # noqa: F405
# The simulated identity provider knows the platform as its client by default.
EGOV_IDENTITY_SIM_CLIENT_SECRET = (
    EGOV_IDENTITY_SIM_CLIENT_SECRET or EGOV_IDENTITY_CLIENT_SECRET  # noqa: F405
)

EGOV_METRICS_ALLOWED_IPS = env(
    "EGOV_METRICS_ALLOWED_IPS",
    ["127.0.0.1/32", "::1/128"],
    "Addresses or networks (comma-separated) that may read /metrics: the Prometheus "
    "server's, on the internal network. Behind a proxy, the proxy's address is what counts, "
    "so the proxy must not forward /metrics from outside.",
    kind="list",
)
EGOV_METRICS_TOKEN = env(
    "EGOV_METRICS_TOKEN",
    "",
    "Optional bearer token that also opens /metrics (Authorization: Bearer …); empty: "
    "addresses only.",
)
EGOV_LOG_FORMAT = env(
    "EGOV_LOG_FORMAT",
    "plain" if EGOV_DEMO else "json",
    "Log lines: json (one object per line with the request id; the default outside the "
    "demo) or plain.",
    shown_default="json (plain in the demo)",
)
if EGOV_LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured(f"EGOV_LOG_FORMAT must be json or plain, not {EGOV_LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "egov.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": EGOV_LOG_FORMAT,
        }
    },
    "root": {
        "handlers": ["console"],
        "level": env("EGOV_LOG_LEVEL", "INFO", "Log level: DEBUG, INFO, WARNING, ERROR."),
    },
    # fontTools logs every glyph subset at INFO while the forms' PDFs are rendered.
    "loggers": {"axes": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
