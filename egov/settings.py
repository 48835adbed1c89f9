"""Django settings for the egov platform.

Every value an operator may change is read through :func:`egov.conf.env`, declared
once here with its help text; ``docs/settings.md`` is generated from these calls.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

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


def _secret_key() -> str:
    configured = env(
        "EGOV_SECRET_KEY",
        "",
        "Secret used to sign sessions and tokens. When empty, one is generated once and kept "
        "in EGOV_VAR_DIR/secret_key.",
    )
    if configured:
        return str(configured)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

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
        "or database (shared by every server; run `manage.py createcachetable`). With several "
        "worker processes use file or database, or the lookup rate limits count per process.",
    )
    .strip()
    .lower(),
    VAR_DIR,
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
]

MIDDLEWARE = [
    "egov.core.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "egov.core.locale_middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
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
                "egov.dossiers.context_processors.staff_menu",
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

# Lockout after repeated failed sign-ins (django-axes), counted per user name.
AXES_FAILURE_LIMIT = env(
    "EGOV_LOGIN_FAILURE_LIMIT",
    5,
    "Failed sign-ins for one user name before the account is locked for a while.",
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
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "egov.accounts.views.lockout_response"
AXES_VERBOSE = False
# Counting per user name only is deliberate: a whole one-stop desk shares one NAT
# address, so locking by IP would lock out every clerk of an office at once.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

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

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env(
    "EGOV_SECURE_COOKIES", False, "Send cookies over HTTPS only (turn on in production).", "bool"
)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = 8 * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

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
    "Window for counting public dossier lookups from one client IP (rate limit).",
    "int",
)
EGOV_LOOKUP_UNKNOWN_LIMIT = env(
    "EGOV_LOOKUP_UNKNOWN_LIMIT",
    20,
    "Lookups of unknown dossier codes one client IP may make per window before it is "
    "refused (stops guessing codes).",
    "int",
)
EGOV_LOOKUP_LIMIT = env(
    "EGOV_LOOKUP_LIMIT",
    600,
    "All public dossier lookups one client IP may make per window.",
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
    True,
    "Serve the local simulators of outside systems (national identity provider, payment "
    "platform, SMS gateway, postal service) under each app's mo-phong/ path. On for demo "
    "and tests; turn off in production, where the adapters talk to the real systems.",
    "bool",
)

# --- Settings of the portal apps, one module each ---
from egov.settings_apps.applicants import *  # noqa: E402, F403
from egov.settings_apps.feedback import *  # noqa: E402, F403
from egov.settings_apps.identity import *  # noqa: E402, F403
from egov.settings_apps.notifications import *  # noqa: E402, F403
from egov.settings_apps.payments import *  # noqa: E402, F403
from egov.settings_apps.portal import *  # noqa: E402, F403
from egov.settings_apps.submissions import *  # noqa: E402, F403

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env("EGOV_LOG_LEVEL", "INFO", "Log level: DEBUG, INFO, WARNING, ERROR."),
    },
    # fontTools logs every glyph subset at INFO while the forms' PDFs are rendered.
    "loggers": {"axes": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
