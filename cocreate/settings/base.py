"""Settings shared by every run; everything that differs between runs comes from the environment.

Environment variables (see README "Configuration"):
DATABASE_URL, REDIS_URL, EMAIL_URL, SECRET_KEY, ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS,
DEFAULT_FROM_EMAIL, SITE_URL, SITE_NAME, TIME_ZONE, CONN_MAX_AGE, ACCOUNT_EMAIL_VERIFICATION.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# Variables the environment lacks may come from a .env file; COCREATE_ENV_FILE names another
# file, or "" for none (tests that must control every variable use that).
_env_file = env.str("COCREATE_ENV_FILE", default=str(BASE_DIR / ".env"))
if _env_file:
    environ.Env.read_env(_env_file, overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# What emails and pages call the platform.
SITE_NAME = env.str("SITE_NAME", default="Cocreate")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "allauth",
    "allauth.account",
    # The cache boundary's fallback tables (rate counters, owed cache deletes).
    "cocreate",
    "accounts",
    "events",
    "communities",
    "knowledge",
    "moderation",
    "trust",
    "incentives",
    "notifications",
    # Demo data for the embedded run (``manage.py seed_demo``): above every app, imported by none.
    "demo",
    # Idempotency keys and one-time form tokens (safe retries); part of the ground layer.
    "cocreate.idempotency",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cocreate.request_size.RequestSizeMiddleware",
    "cocreate.security_headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A fresh one-time token in each form of every HTML response (cached pages included).
    "cocreate.idempotency.form_tokens.FormTokenMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.middleware.CachedAuthenticationMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "cocreate.urls"
WSGI_APPLICATION = "cocreate.wsgi.application"

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
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "notifications.context_processors.bell",
                # Last, so it wins over Django's csrf processor while a page is cached.
                "cocreate.caching.pages.csrf_placeholder",
                "cocreate.idempotency.form_tokens.form_token",
            ],
            "libraries": {"caching": "cocreate.caching.tags"},
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Embedded default: a SQLite file next to manage.py. Production: DATABASE_URL=postgres://...
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Persistent connections: reconnecting per request costs an order of magnitude in throughput.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "cocreate.caching.backend.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="cocreate"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions read from the cache, written through to the database (survive a cache flush).
SESSION_ENGINE = "accounts.sessions"

# The in-process transport, named with a host so kombu does not warn "No hostname was supplied".
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
# Without a broker every task runs in-process, right away (the embedded run).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Give up quickly when the broker is down: the outbox relay delivers later, the request succeeds.
# The visibility timeout is how long Redis waits before it hands an unacknowledged task (its
# worker died) to another worker. It must stay above the longest task, or a task still running
# is run a second time: the longest are the hourly digest and reminder sweeps (seconds for
# 100,000 members) and an email sender (hard limit 300 s). Killed work does not wait for it:
# the relays (events.relay, notifications.relay_emails) pick up undone work within a minute.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
CELERY_TASK_PUBLISH_RETRY = False
# Keep a worker's database connection between tasks (Celery closes it after each task otherwise).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_TASK_DEFAULT_QUEUE = "default"
# Each consumer of domain events (events.registry) has its own queue, named after it, and its
# own delivery task ``<consumer>.deliver_event``: a slow or failing consumer never delays another.
# Notifications (event delivery, fan-out, emails, digests) have the ``notifications`` queue; give
# it worker processes of its own (`-Q notifications`). The relay is light: the default queue.
CELERY_TASK_ROUTES = {
    "events.*": {"queue": "default"},
    "notifications.*": {"queue": "notifications"},
    # Points are booked on a queue of their own: never behind a notification fan-out.
    "bookkeeping.*": {"queue": "bookkeeping"},
}
# Members per fan-out task: one batched insert and one transaction each (bounded worker memory).
NOTIFICATIONS_FANOUT_BATCH = env.int("NOTIFICATIONS_FANOUT_BATCH", default=1000)
# The email queue (notifications.services.outbound): rows a sender claims at once, seconds a
# claim lasts (a dead sender's emails are sent by another once it ends), attempts before an
# email is failed, seconds a sender task keeps going, the relay's interval, senders it queues.
NOTIFICATIONS_EMAIL_BATCH = env.int("NOTIFICATIONS_EMAIL_BATCH", default=20)
NOTIFICATIONS_EMAIL_LEASE = env.float("NOTIFICATIONS_EMAIL_LEASE", default=20.0)
NOTIFICATIONS_EMAIL_MAX_ATTEMPTS = env.int("NOTIFICATIONS_EMAIL_MAX_ATTEMPTS", default=8)
NOTIFICATIONS_EMAIL_SEND_BUDGET = env.float("NOTIFICATIONS_EMAIL_SEND_BUDGET", default=10.0)
NOTIFICATIONS_EMAIL_RELAY_INTERVAL = env.float("NOTIFICATIONS_EMAIL_RELAY_INTERVAL", default=30.0)
NOTIFICATIONS_EMAIL_SENDERS = env.int("NOTIFICATIONS_EMAIL_SENDERS", default=4)
CELERY_BEAT_SCHEDULE = {
    # Re-queues, per consumer, every delivery the broker missed (and each consumer's own
    # unfinished follow-up work, such as fan-out chunks).
    "outbox-relay": {"task": "events.relay", "schedule": 30.0},
    # Cache keys owed since a Redis outage by processes that died meanwhile; ended rate windows.
    "cache-upkeep": {"task": "cocreate.cache_upkeep", "schedule": 30.0},
    # Queues email senders for what is due or stuck (a killed sender's emails).
    "email-relay": {
        "task": "notifications.relay_emails",
        "schedule": NOTIFICATIONS_EMAIL_RELAY_INTERVAL,
    },
    # Hourly: each member gets their digest at 08:00 in their own time zone.
    "daily-digests": {
        "task": "notifications.send_digests",
        "schedule": crontab(minute=5),
        "args": ("daily",),
    },
    "weekly-digests": {
        "task": "notifications.send_digests",
        "schedule": crontab(minute=5),
        "args": ("weekly",),
    },
    "impact-reminders-daily": {
        "task": "notifications.send_impact_reminders",
        "schedule": crontab(minute=10),
        "args": ("daily",),
    },
    "impact-reminders-weekly": {
        "task": "notifications.send_impact_reminders",
        "schedule": crontab(minute=10),
        "args": ("weekly",),
    },
}
CELERY_BEAT_SCHEDULE["idempotency-purge"] = {
    "task": "idempotency.purge_expired",
    "schedule": crontab(minute=20),
}
# Hourly: delete members' data-export archives 7 days after they were ready (trust).
CELERY_BEAT_SCHEDULE["export-purge"] = {
    "task": "trust.export_purge",
    "schedule": crontab(minute=25),
}
# Nightly: the points ledger recomputed from its entries; differences emailed to platform admins.
CELERY_BEAT_SCHEDULE["ledger-check"] = {
    "task": "incentives.ledger_check",
    "schedule": crontab(hour=3, minute=40),
}
# Redemption holds past their expiry give their points back.
CELERY_BEAT_SCHEDULE["holds-expire"] = {"task": "incentives.holds_expire", "schedule": 300.0}
CELERY_TIMEZONE = "UTC"
# Safe retries (cocreate.idempotency): how long an API Idempotency-Key and a page form's
# one-time token are remembered, and how long a request waits for a concurrent request with
# the same key to finish before it answers 409 (PostgreSQL's lock_timeout on the claim).
IDEMPOTENCY_TTL = env.int("IDEMPOTENCY_TTL", default=24 * 60 * 60)
IDEMPOTENCY_WAIT = env.float("IDEMPOTENCY_WAIT", default=5.0)

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "communities:mine"
LOGOUT_REDIRECT_URL = "communities:directory"

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# Sign-up also asks for the display name (accounts.forms.SignupForm).
# A password change checks the current password like a sign-in (the same limit on guessing).
ACCOUNT_FORMS = {
    "signup": "accounts.forms.SignupForm",
    "change_password": "accounts.forms.ChangePasswordForm",
}
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Cocreate] "
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}

# --- Email ----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Seconds an SMTP connection may block: a hung server must not outlast an email's claim.
EMAIL_TIMEOUT = EMAIL_CONFIG.get("EMAIL_TIMEOUT") or env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Cocreate <noreply@cocreate.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- I18N / time ----------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German")), ("fr", _("French"))]
# The project's catalogues (``make messages`` writes them), then hand-kept German for
# third-party strings whose own German says "du" where Cocreate says "Sie". Both come before
# the apps' own catalogues.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overrides"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static ---------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

# --- Private files -------------------------------------------------------------------------
# Members' data-export archives (trust): a private directory, never served as static or media
# files; each archive is downloaded only through its owner's authenticated download view.
# Production: a persistent volume shared by web and worker processes.
EXPORT_ROOT = env.path("EXPORT_ROOT", default=BASE_DIR / "var" / "exports")

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an unauthenticated request gets 401 with WWW-Authenticate: Token (with
    # session first DRF answers 403). Session authentication (with CSRF) serves the browser.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "cocreate.api.pagination.CreatedCursorPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "cocreate.api.throttling.AnonRateThrottle",
        "cocreate.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_RATE", default="120/min"),
        "user": env.str("API_USER_RATE", default="1200/min"),
        "token": "10/min",
    },
    "EXCEPTION_HANDLER": "cocreate.api.errors.exception_handler",
    "DEFAULT_METADATA_CLASS": "cocreate.api.metadata.Metadata",
    "DEFAULT_PARSER_CLASSES": [
        "cocreate.api.parsers.JSONParser",  # DRF's, with a nesting limit
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cocreate API",
    "DESCRIPTION": "Communities of creation: memberships, contributions, consent and rights.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Every write operation documents the Idempotency-Key header (and its 409 and 422).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cocreate.api.idempotency.schema_hook",
    ],
    # Several choice sets share the field name "status"; name each so clients get stable enums.
    "ENUM_NAME_OVERRIDES": {
        "MembershipStatusEnum": "communities.models.Membership.Status",
        "ContributionStatusEnum": "knowledge.models.Contribution.Status",
        "PublishedStatusEnum": "knowledge.api.fields.PUBLISHED_STATUSES",
    },
}

# --- Security defaults that hold in every run -----------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
# Sent on every dynamic response (cocreate.security_headers). Scripts only from this site and
# never inline (no template has an inline script or handler; the API docs load their set-up
# script as a file), and no inline style either: no page template has a style attribute or
# element (htmx's indicator rules are in cocreate.css; emails keep theirs, they are not pages).
CONTENT_SECURITY_POLICY = env.str(
    "CONTENT_SECURITY_POLICY",
    default=(
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
)
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), "
    "magnetometer=(), gyroscope=(), accelerometer=()"
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Eager tasks log every success at INFO; keep the console readable.
        "celery.app.trace": {"level": "WARNING"},
    },
}

# Community directory and lists
COMMUNITY_PAGE_SIZE = 20
INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=14)
