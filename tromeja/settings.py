"""Django settings for a Tromeja node.

Everything that differs between the demo, a test run and production is read
from the environment through the typed helpers in tromeja.env; see
docs/operations.md for the list.
"""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from tromeja.env import ConfigurationError, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent

# "development" (the default: demo and tests) or "production".
TROMEJA_ENV = env_str("TROMEJA_ENV", "development")
if TROMEJA_ENV not in {"development", "production"}:
    raise ConfigurationError("TROMEJA_ENV must be 'development' or 'production'.")
PRODUCTION = TROMEJA_ENV == "production"

DATA_DIR = Path(env_str("TROMEJA_DATA_DIR", str(PROJECT_DIR / "var")))
DEBUG = env_bool("TROMEJA_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ConfigurationError("TROMEJA_DEBUG must be off when TROMEJA_ENV=production.")

if PRODUCTION:
    SECRET_KEY = env_str("TROMEJA_SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ConfigurationError("TROMEJA_SECRET_KEY must be at least 50 characters long.")
else:
    SECRET_KEY = env_str(
        "TROMEJA_SECRET_KEY", "development-only-key-never-use-in-production-0123456789abcdef"
    )

# Key of the audit trail's HMAC chain. Kept apart from the database so that
# someone who can write to the database cannot recompute a forged chain.
# Without TROMEJA_AUDIT_KEY a development or demo node draws its own key once
# into its data directory (mode 0600), never one derived from a public value.
AUDIT_CHAIN_KEY = env_str("TROMEJA_AUDIT_KEY", "")
if PRODUCTION and len(AUDIT_CHAIN_KEY) < 32:
    raise ConfigurationError("TROMEJA_AUDIT_KEY must be set to at least 32 characters.")
if not AUDIT_CHAIN_KEY:
    from tromeja.core.keyfile import own_secret

    try:
        AUDIT_CHAIN_KEY = own_secret(DATA_DIR / "audit" / "development.key")
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"No audit key: {exc}") from exc
# Signed checkpoints of the audit chain, outside the database
# (docs/operations.md, "Audit trail").
AUDIT_CHECKPOINT_DIR = Path(env_str("TROMEJA_AUDIT_CHECKPOINT_DIR", str(DATA_DIR / "audit")))
# The node's signing keys (core/signing.py), outside the database.
TROMEJA_SIGNING_KEY_DIR = Path(env_str("TROMEJA_SIGNING_KEY_DIR", str(DATA_DIR / "signing")))

# The demo relaxes the second factor for the demo's own accounts only, and
# says so on every page. It can never be switched on in production.
DEMO_MODE = env_bool("TROMEJA_DEMO", False)
if PRODUCTION and DEMO_MODE:
    raise ConfigurationError("TROMEJA_DEMO cannot be used with TROMEJA_ENV=production.")

# The country whose national node this is (federation between nodes is built
# on this); one node may host several countries' units in the demo.
NODE_COUNTRY = env_str("TROMEJA_NODE_COUNTRY", "SI").upper()

ALLOWED_HOSTS = env_list(
    "TROMEJA_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ConfigurationError("TROMEJA_ALLOWED_HOSTS must list the node's host names.")
CSRF_TRUSTED_ORIGINS = env_list("TROMEJA_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "tromeja.core",
    "tromeja.accounts",
    "tromeja.auditlog",
    "tromeja.notices",
    "tromeja.incidents",
    "tromeja.exchange",
    "tromeja.geography",
    "tromeja.search",
    "tromeja.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    # Django's own widget templates, for the form renderer below.
    "django.forms",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tromeja.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tromeja.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "tromeja.core.middleware.UploadLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tromeja.accounts.middleware.UserPreferencesMiddleware",
    "tromeja.accounts.middleware.SecondFactorRequiredMiddleware",
    "tromeja.core.middleware.PurposeRequiredMiddleware",
    "tromeja.core.transitions.StaleStateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tromeja.urls"
# Form controls in the page's language, never the browser's (core/widgets.py);
# widget templates under templates/django/forms/ take precedence.
FORM_RENDERER = "tromeja.core.widgets.FormRenderer"
WSGI_APPLICATION = "tromeja.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "tromeja.core.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# SQLite is the embedded default; PostgreSQL is chosen with DATABASE_URL.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'tromeja.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # Writers take the lock at BEGIN, so two writers never deadlock on an
        # upgrade from a read lock (the audit chain relies on this).
        "transaction_mode": "IMMEDIATE",
        # A writer waits this long for the lock before `database is locked`
        # (answered 503): far longer than an import's block holds it.
        "timeout": env_int("TROMEJA_SQLITE_BUSY_SECONDS", 60, minimum=1),
        # A 64 MB page cache per connection keeps the indexes that an
        # import's blocks write again and again in memory.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;"
        ),
    }
    # Tests use a file, not memory: the browser tests' live server answers
    # several requests at once, each thread with its own connection.
    DATABASES["default"]["TEST"] = {
        "NAME": env_str("TROMEJA_TEST_SQLITE", str(DATA_DIR / "test.sqlite3"))
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # JIT compilation pays off for long analytical queries, not for these: the
    # visibility rule's subquery makes the planner over-estimate ordinary
    # statements and compile them (docs/performance.md, "Incident reports").
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background tasks -------------------------------------------------------
# The database is the queue: no extra server on the embedded default, and
# several `tromeja worker` processes share it on PostgreSQL.
TASK_BACKEND = env_str("TROMEJA_TASK_BACKEND", "database")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }.get(TASK_BACKEND)
        or "django_tasks_db.DatabaseBackend",
        "QUEUES": [],
    }
}
# A running job whose worker has not renewed its lease this long is failed.
TROMEJA_JOB_LEASE_SECONDS = env_int("TROMEJA_JOB_LEASE_SECONDS", 60, minimum=10)
if TASK_BACKEND not in {"database", "immediate"}:
    raise ConfigurationError("TROMEJA_TASK_BACKEND must be 'database' or 'immediate'.")

# --- Users, sign-in ----------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Idle sessions end after this many minutes; every session ends after
# TROMEJA_SESSION_MAX_HOURS whatever the activity.
SESSION_COOKIE_AGE = env_int("TROMEJA_SESSION_IDLE_MINUTES", 60, minimum=5) * 60
# The session is renewed at most once a minute (accounts.middleware), not
# written on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_MAX_AGE_HOURS = env_int("TROMEJA_SESSION_MAX_HOURS", 12, minimum=1)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

OTP_TOTP_ISSUER = "Tromeja"
OTP_TOTP_THROTTLE_FACTOR = 1

AXES_FAILURE_LIMIT = env_int("TROMEJA_LOCKOUT_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("TROMEJA_LOCKOUT_MINUTES", 30, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False
AXES_IPWARE_PROXY_COUNT = env_int("TROMEJA_PROXY_COUNT", 0, minimum=0) or None

# Personal API tokens live at most this many days.
API_TOKEN_MAX_DAYS = env_int("TROMEJA_API_TOKEN_MAX_DAYS", 365, minimum=1)

# --- Languages and time ------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("sl", _("Slovenian")),
    ("it", _("Italian")),
    ("hr", _("Croatian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Day before month and a 24-hour clock in every language, month names from
# the language's catalogue (tromeja/formats); Django's locale formats fill in
# the rest.
FORMAT_MODULE_PATH = ["tromeja.formats"]
USE_I18N = True
USE_TZ = True
# Times are stored in UTC and shown in the reader's zone: the one they chose in
# their preferences, else their country's (Country.time_zone), else this one.
TIME_ZONE = env_str("TROMEJA_TIME_ZONE", "Europe/Ljubljana")
LANGUAGE_COOKIE_NAME = "tromeja_language"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files --------------------------------------------------------------
# Front-end libraries come from npm packages installed at set-up
# (package.json); nothing is fetched at run time and nothing is copied here.
ASSETS_DIR = Path(env_str("TROMEJA_ASSETS_DIR", str(PROJECT_DIR / "node_modules")))
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("TROMEJA_STATIC_ROOT", str(PROJECT_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", ASSETS_DIR / "bootstrap" / "dist"),
    ("vendor/htmx", ASSETS_DIR / "htmx.org" / "dist"),
    ("vendor/leaflet", ASSETS_DIR / "leaflet" / "dist"),
    ("vendor/leaflet.markercluster", ASSETS_DIR / "leaflet.markercluster" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = DATA_DIR / "files"

# --- Uploads, imports and exports ----------------------------------------------
# A request body larger than this is refused before it is read (HTTP 413).
TROMEJA_MAX_UPLOAD_MB = env_int("TROMEJA_MAX_UPLOAD_MB", 50, minimum=1)
# Exports of more reports than this run in the background with progress.
TROMEJA_EXPORT_INLINE_MAX = env_int("TROMEJA_EXPORT_INLINE_MAX", 2000, minimum=0)
# Contact-point attachments: at most this large each, this many per message.
TROMEJA_MAX_ATTACHMENT_MB = env_int("TROMEJA_MAX_ATTACHMENT_MB", 20, minimum=1)
TROMEJA_MAX_ATTACHMENTS = env_int("TROMEJA_MAX_ATTACHMENTS", 10, minimum=1)
# Bodies read into memory (JSON, forms without files) stay under Django's
# DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), except the API calls that carry Base64
# attachments: they may be as large as an upload (core.middleware).
TROMEJA_LARGE_BODY_PATHS = (r"^/api/v1/exchange/(requests|information|legs/\d+/(reply|clarify))$",)

# --- Contact-point alerts to another system ------------------------------------
# Each delivered deadline alert is also POSTed here (empty: off), signed with
# HMAC-SHA256 of the body in X-Tromeja-Signature (docs/operations.md).
TROMEJA_WEBHOOK_URL = env_str("TROMEJA_WEBHOOK_URL", "")
TROMEJA_WEBHOOK_SECRET = env_str("TROMEJA_WEBHOOK_SECRET", "")

# --- Security headers ----------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("TROMEJA_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("TROMEJA_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("TROMEJA_BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
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
}

# --- Mail ---------------------------------------------------------------------
EMAIL_BACKEND = env_str("TROMEJA_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("TROMEJA_FROM_EMAIL", "tromeja@localhost")
EMAIL_HOST = env_str("TROMEJA_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("TROMEJA_EMAIL_PORT", 25, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("TROMEJA_LOG_LEVEL", "WARNING")},
    # Audit checkpoints go to the node's log too, whatever the level of the rest.
    "loggers": {"tromeja.audit": {"level": "INFO"}},
}

NINJA_PAGINATION_PER_PAGE = 50

# How often the pages ask for the badges' counts of what needs attention.
ATTENTION_POLL_SECONDS = env_int("TROMEJA_ATTENTION_POLL_SECONDS", 30, minimum=5)

# Optional background tiles for the map (e.g. a national tile server); empty:
# the map draws only the bundled borders and sections, so it works offline.
MAP_TILE_URL = env_str("TROMEJA_MAP_TILE_URL", "")
if MAP_TILE_URL:
    from urllib.parse import urlsplit

    _tiles = urlsplit(MAP_TILE_URL.replace("{s}", "a"))
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(f"{_tiles.scheme}://{_tiles.netloc}")
# Or a WMS server (e.g. a national mapping agency's): its URL and layer names.
MAP_WMS_URL = env_str("TROMEJA_MAP_WMS_URL", "")
MAP_WMS_LAYERS = env_str("TROMEJA_MAP_WMS_LAYERS", "")
MAP_WMS_FORMAT = env_str("TROMEJA_MAP_WMS_FORMAT", "image/png")
# Credit line the tile or WMS server's licence asks for, shown on the map.
MAP_ATTRIBUTION = env_str("TROMEJA_MAP_ATTRIBUTION", "")
if MAP_WMS_URL and not MAP_WMS_LAYERS:
    raise ConfigurationError(
        "TROMEJA_MAP_WMS_URL needs TROMEJA_MAP_WMS_LAYERS (comma-separated layer names)."
    )
if MAP_WMS_URL:
    from urllib.parse import urlsplit

    _wms = urlsplit(MAP_WMS_URL)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(f"{_wms.scheme}://{_wms.netloc}")
CSRF_FAILURE_VIEW = "tromeja.core.views.csrf_failure"
