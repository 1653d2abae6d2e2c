"""Needlepoint settings.

One module, configured through environment variables read by the small typed helpers
below (every variable is listed in `.env.example` and README). Integrations turn on only
when their variable is set. Outside DEBUG a missing SECRET_KEY or ALLOWED_HOSTS is an error.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The test runner imports pytest before these settings; NEEDLEPOINT_TESTING overrides.
TESTING = env_bool("NEEDLEPOINT_TESTING", "pytest" in sys.modules)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug-and-tests"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Where the demo and local installs keep their SQLite database and uploaded files.
VAR_DIR = Path(env_str("NEEDLEPOINT_VAR_DIR", str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "needlepoint.staff.admin_config.NeedlepointAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "needlepoint.core",
    "needlepoint.accounts",
    "needlepoint.resources",
    "needlepoint.catalog",
    "needlepoint.patients",
    "needlepoint.scheduling",
    "needlepoint.intake",
    "needlepoint.clinical",
    "needlepoint.messaging",
    "needlepoint.billing",
    "needlepoint.staff",
    "needlepoint.site",
    "needlepoint.api",
    # The demo clinic loader (`manage.py load_demo`): the top of the tree, imported by none of ours.
    "needlepoint.demo",
    # Serves the API docs' Swagger UI from our own static files (no CDN, no inline script).
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "needlepoint.core.actor.ActorMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "needlepoint.accounts.middleware.StaffContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "needlepoint.accounts.middleware.SessionTimeoutMiddleware",
    "needlepoint.site.kiosk.KioskMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "needlepoint.core.middleware.PrivateCacheMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "needlepoint.urls"
WSGI_APPLICATION = "needlepoint.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "needlepoint.staff.navigation.staff_navigation",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# SQLite under var/ by default; DATABASE_URL (postgres://…) switches to PostgreSQL.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "needlepoint.sqlite3"),
            # IMMEDIATE transactions take the write lock up front, so concurrent writers
            # queue instead of failing halfway; WAL lets readers go on meanwhile.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
            # Tests use a file, not :memory:, so concurrency tests see real locking.
            "TEST": {
                "NAME": str(Path(tempfile.gettempdir()) / f"needlepoint-test-{os.getpid()}.sqlite3")
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache backs one-time TOTP codes and rate limits, so it must be shared by every
# process: the database cache (its table is created by a core migration).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "needlepoint_cache",
    }
}

# --- Authentication -------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "site:home"

ACCOUNT_ADAPTER = "needlepoint.accounts.adapter.AccountAdapter"
MFA_ADAPTER = "needlepoint.accounts.adapter.MFAAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# Password failures lock out through django-axes (per account and per address, audited).
# allauth's own limit stays on as well: it is what throttles wrong MFA codes (6 per user per
# 5 minutes), which axes does not see. It is set one above axes' limit so that for
# passwords axes answers first, with its lockout page and audit row.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,6/300s/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Needlepoint"
MFA_TOTP_PERIOD = 30
MFA_TOTP_TOLERANCE = 1
# A TOTP code works once (docs/security-targets.md B2): each authenticator keeps the last time-step
# it accepted and refuses that step and older ones (see accounts/mfa.py).
MFA_FORMS = {
    "authenticate": "needlepoint.accounts.mfa.OnceAuthenticateForm",
    "reauthenticate": "needlepoint.accounts.mfa.OnceReauthenticateForm",
    "activate_totp": "needlepoint.accounts.mfa.EnrolActivateTOTPForm",
}
MFA_ALLOW_UNVERIFIED_EMAIL = True

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "needlepoint.accounts.axes.attempted_login"
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_VERBOSE = False
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Sessions: staff end after 15 minutes idle and 12 hours in all; patients after 30 idle.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
NEEDLEPOINT_STAFF_IDLE_SECONDS = env_int("STAFF_IDLE_MINUTES", 15) * 60
NEEDLEPOINT_STAFF_ABSOLUTE_SECONDS = 12 * 60 * 60
NEEDLEPOINT_PATIENT_IDLE_SECONDS = 30 * 60

# --- Internationalization -------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/Denver"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
# Media (photos, signed PDFs) is private: served only through permission-checked views.
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Email ----------------------------------------------------------------------------
EMAIL_URL = env_str("EMAIL_URL")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Needlepoint <clinic@needlepoint.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_HOST := env_str("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Background jobs ------------------------------------------------------------------
# A real queue: tasks are rows in the database and `manage.py db_worker` runs them.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING and not env_bool("NEEDLEPOINT_TEST_REAL_QUEUE")
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# --- Patient messages -----------------------------------------------------------------
# Reminders go this many hours before an appointment (those already past are not sent).
try:
    REMINDER_HOURS = sorted({int(h) for h in env_list("REMINDER_HOURS", "48,2")}, reverse=True)
except ValueError as exc:
    raise ImproperlyConfigured("REMINDER_HOURS must be whole hours, e.g. 48,2") from exc
if any(hours <= 0 for hours in REMINDER_HOURS):
    raise ImproperlyConfigured("REMINDER_HOURS must be positive, e.g. 48,2")
# Text messages go through Twilio when its three variables are set; otherwise they are only
# logged (to the `needlepoint.sms` logger). Tests never reach Twilio unless a test says so.
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN")
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER")
TWILIO_API_BASE = env_str("TWILIO_API_BASE", "https://api.twilio.com")
SMS_BACKEND = env_str("SMS_BACKEND") or (
    "needlepoint.messaging.sms.TwilioSmsBackend"
    if TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER and not TESTING
    else "needlepoint.messaging.sms.ConsoleSmsBackend"
)

# --- Security headers -----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads no cookie; the token travels in hx-headers.
HTTPS = env_bool("HTTPS", not (DEBUG or TESTING))
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
# Camera only where photos are taken (the charting pages widen it per view).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
    },
}

# Refunds above this amount (in the clinic's currency) need the clinic owner.
DESK_REFUND_LIMIT = env_str("DESK_REFUND_LIMIT", "100.00")
ADMIN_URL = env_str("ADMIN_URL", "admin/")
# The address staff and patients reach Needlepoint at, for links in emails.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
CSRF_FAILURE_VIEW = "needlepoint.core.errors.csrf_failure"
