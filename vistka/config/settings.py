"""Django settings, derived from the typed option table in vistka.config.options."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

from vistka.config.options import read_options

OPTIONS = read_options()

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(OPTIONS["VISTKA_DATA_DIR"]).expanduser().resolve()


def _private_dir(path: Path) -> None:
    """The data folder holds the database and the secret key: only the service user may enter it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    _make_private(path, 0o700)


def _make_private(path: Path, mode: int) -> None:
    try:
        if path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
    except PermissionError:  # not ours (a shared, read-only install): leave it as the operator set it
        pass


def _create_private_file(path: Path, content: str = "") -> None:
    """Create path with mode 0600 from the first byte (never a moment world-readable); keep an existing one."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "w") as handle:
        handle.write(content)


_private_dir(DATA_DIR)


def _secret_key() -> str:
    """Generated once and kept beside the data, so sessions survive restarts."""
    if OPTIONS["VISTKA_SECRET_KEY"]:
        return OPTIONS["VISTKA_SECRET_KEY"]
    key_file = DATA_DIR / "secret_key"
    _create_private_file(key_file, secrets.token_urlsafe(50))
    _make_private(key_file, 0o600)
    return key_file.read_text().strip()


def _database() -> dict:
    if OPTIONS["VISTKA_DATABASE_URL"]:
        return dj_database_url.parse(OPTIONS["VISTKA_DATABASE_URL"], conn_max_age=60, conn_health_checks=True)
    database = DATA_DIR / "vistka.sqlite3"
    # SQLite creates a new database with the umask's mode (often 0644) and gives its -wal and -shm
    # files the database's own mode: an empty file made 0600 first is a valid, private database.
    _create_private_file(database)
    _make_private(database, 0o600)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": database,
        "OPTIONS": {
            # WAL lets the site read while the pipeline writes; IMMEDIATE avoids lock-upgrade deadlocks.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
            "transaction_mode": "IMMEDIATE",
        },
    }


SECRET_KEY = _secret_key()
DEBUG = OPTIONS["VISTKA_DEBUG"]
ALLOWED_HOSTS = OPTIONS["VISTKA_ALLOWED_HOSTS"] + (["testserver"] if DEBUG else [])

SITE_NAME = OPTIONS["VISTKA_SITE_NAME"]
SITE_LANGUAGE = OPTIONS["VISTKA_LANGUAGE"]
TRANSLATION_ENGINE = OPTIONS["VISTKA_TRANSLATION_ENGINE"]
PUBLISH_UNTRANSLATED = OPTIONS["VISTKA_PUBLISH_UNTRANSLATED"]
TRANSLATION_PACKAGES_DIR = DATA_DIR / "translate"
CT2_THREADS = OPTIONS["VISTKA_CT2_THREADS"]
CT2_COMPUTE_TYPE = OPTIONS["VISTKA_CT2_COMPUTE_TYPE"]
OPENAI_URL = OPTIONS["VISTKA_OPENAI_URL"]
OPENAI_MODEL = OPTIONS["VISTKA_OPENAI_MODEL"]
OPENAI_API_KEY = OPTIONS["VISTKA_OPENAI_API_KEY"]
LIBRETRANSLATE_URL = OPTIONS["VISTKA_LIBRETRANSLATE_URL"]
LIBRETRANSLATE_API_KEY = OPTIONS["VISTKA_LIBRETRANSLATE_API_KEY"]
TRANSLATION_TIMEOUT = OPTIONS["VISTKA_TRANSLATION_TIMEOUT"]
TRANSLATION_RETRIES = OPTIONS["VISTKA_TRANSLATION_RETRIES"]
TRANSLATION_HOLD_FLAGS = OPTIONS["VISTKA_TRANSLATION_HOLD_FLAGS"]
USER_AGENT_CONTACT = OPTIONS["VISTKA_USER_AGENT_CONTACT"]
FETCH_ALLOW_HOSTS = OPTIONS["VISTKA_FETCH_ALLOW_HOSTS"]
FETCH_TIMEOUT = OPTIONS["VISTKA_FETCH_TIMEOUT"]
MAX_BODY_BYTES = OPTIONS["VISTKA_MAX_BODY_BYTES"]
EXCERPT_WORDS = OPTIONS["VISTKA_EXCERPT_WORDS"]
API_RATE = OPTIONS["VISTKA_API_RATE"]
FETCH_CONNECT_TIMEOUT = OPTIONS["VISTKA_FETCH_CONNECT_TIMEOUT"]
FETCH_READ_TIMEOUT = OPTIONS["VISTKA_FETCH_READ_TIMEOUT"]
FETCH_MAX_REDIRECTS = OPTIONS["VISTKA_FETCH_MAX_REDIRECTS"]
FETCH_HOST_CONCURRENCY = OPTIONS["VISTKA_FETCH_HOST_CONCURRENCY"]
FETCH_HOST_DELAY = OPTIONS["VISTKA_FETCH_HOST_DELAY"]
FETCH_AHEAD = OPTIONS["VISTKA_FETCH_AHEAD"]
EXTRACT_PROCESSES = OPTIONS["VISTKA_EXTRACT_PROCESSES"]
PIPELINE_NICE = OPTIONS["VISTKA_PIPELINE_NICE"]
EXTRACT_NICE = OPTIONS["VISTKA_EXTRACT_NICE"]
FETCH_OBEY_ROBOTS = OPTIONS["VISTKA_FETCH_OBEY_ROBOTS"]
BODY_IMAGES_MAX = OPTIONS["VISTKA_BODY_IMAGES_MAX"]
POLL_MIN_INTERVAL = OPTIONS["VISTKA_POLL_MIN_INTERVAL"]
POLL_MAX_INTERVAL = OPTIONS["VISTKA_POLL_MAX_INTERVAL"]
SOURCE_FLAG_HOURS = OPTIONS["VISTKA_SOURCE_FLAG_HOURS"]
QUARANTINE_AFTER = OPTIONS["VISTKA_QUARANTINE_AFTER"]
SOURCE_MOVED_AFTER = OPTIONS["VISTKA_SOURCE_MOVED_AFTER"]
COMMENTS_MODERATED = OPTIONS["VISTKA_COMMENTS_MODERATED"]
ANALYTICS_SCRIPT = OPTIONS["VISTKA_ANALYTICS_SCRIPT"]
PAGE_CACHE_SECONDS = OPTIONS["VISTKA_PAGE_CACHE_SECONDS"]
PAGE_LIST_DELAY = OPTIONS["VISTKA_PAGE_LIST_DELAY"]
BROKER_URL = OPTIONS["VISTKA_BROKER_URL"]
TASK_VISIBILITY_TIMEOUT = OPTIONS["VISTKA_TASK_VISIBILITY_TIMEOUT"]
STORY_SETTLE_HOURS = OPTIONS["VISTKA_STORY_SETTLE_HOURS"]
STORY_SETTLE_DELAY = OPTIONS["VISTKA_STORY_SETTLE_DELAY"]
SCHEDULER_TICK = OPTIONS["VISTKA_SCHEDULER_TICK"]

# Rendered pages live in each process's memory (vistka/site/caching.py keeps processes in step through a
# file of change marks); a cache shared over the network would cost a round trip per page.
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "axes",
    "vistka.api.apps.NinjaAssets",  # ninja's templates and static files; ninja itself loads with the API
    "vistka.core",  # the model
    "vistka.pipeline",  # wires the pipeline's own hooks on the model (vistka/pipeline/apps.py)
    "vistka.desk",  # the editor's desk: admin, dashboard, editor tools
    "vistka.site",
]

MIDDLEWARE = [
    "django.middleware.gzip.GZipMiddleware",
    "vistka.site.security.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "vistka.site.caching.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

# Admin logins: django-axes locks an address out after AXES_FAILURE_LIMIT failed attempts.
AUTHENTICATION_BACKENDS = [
    "vistka.desk.lockout.HttpLoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Keyed by account and address together: one address behind a shared proxy cannot lock every editor
# out, and the address is the one vistka.site.clientip trusts (X-Forwarded-For only behind VISTKA_TRUSTED_PROXIES).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"  # failures in the database: shared by every process
AXES_CLIENT_IP_CALLABLE = "vistka.site.clientip.client_address"

# The default cache holds rendered pages, per process (they are checked against the site revision).
# Rate limits must hold across processes and machines: they live in the shared "limits" cache.
RATE_LIMIT_CACHE = "limits"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Rendered pages stay in each web process's memory (a hit must cost no query); caching.py's change
    # marks keep them correct across processes.
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages",
              "OPTIONS": {"MAX_ENTRIES": 5000}},
    RATE_LIMIT_CACHE: (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": OPTIONS["VISTKA_CACHE_URL"],
         "KEY_PREFIX": "vistka"}
        if OPTIONS["VISTKA_CACHE_URL"] else
        {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "vistka_cache",
         "OPTIONS": {"MAX_ENTRIES": 100_000}}
    ),
}

ROOT_URLCONF = "vistka.config.urls"
WSGI_APPLICATION = "vistka.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vistka.site.context.site",
            ],
        },
    },
]

DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = OPTIONS["VISTKA_TIME_ZONE"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise expects it even when serving from the app folders
WHITENOISE_USE_FINDERS = True
# Hashed, compressed names once `collectstatic` ran (serve/demo do it); plain names before that.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "vistka.site.staticfiles.HashedStaticStorage"},
}

# The session cookie is created only for logged-in editors; readers get none (see the consent banner).
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# Behind TLS (docs/deployment.md): cookies only over HTTPS, the proxy's word on the scheme, HSTS.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = OPTIONS["VISTKA_HTTPS"]
SECURE_PROXY_SSL_HEADER = OPTIONS["VISTKA_PROXY_SSL_HEADER"]
SECURE_HSTS_SECONDS = OPTIONS["VISTKA_HSTS_SECONDS"]
SECURE_HSTS_INCLUDE_SUBDOMAINS = OPTIONS["VISTKA_HSTS_INCLUDE_SUBDOMAINS"]
TRUSTED_PROXIES = OPTIONS["VISTKA_TRUSTED_PROXIES"]
WEB_WORKERS = OPTIONS["VISTKA_WEB_WORKERS"]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "vistka": {"handlers": ["console"], "level": "INFO"},
        # Django logs a server error here, with its traceback; its own default shows it only with DEBUG on.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
