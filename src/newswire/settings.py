"""Django settings for newswire, configured from the environment.

| variable          | default                                   |
|-------------------|-------------------------------------------|
| ``NEWSWIRE_DATA`` | ``./var`` (the database, uploads, keys)   |
| ``DATABASE_URL``  | ``sqlite:///$NEWSWIRE_DATA/newswire.sqlite3`` |
| ``SECRET_KEY``    | generated once into ``$NEWSWIRE_DATA/secret-key`` |
| ``ALLOWED_HOSTS`` | ``127.0.0.1,localhost``                   |
| ``DEBUG``         | off; ``DEBUG=1`` turns it on              |
| ``SITE_URL``      | ``http://127.0.0.1:8000`` (absolute links in feeds and exports) |
| ``EMAIL_URL``     | console backend (``smtp://user:pass@host:port`` in production) |
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
import django_stubs_ext

django_stubs_ext.monkeypatch()  # ModelAdmin[Story] and friends at run time, for the type checker

PACKAGE_DIR = Path(__file__).resolve().parent


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


DATA_DIR = Path(os.environ.get("NEWSWIRE_DATA", "var")).resolve()


def _secret_key() -> str:
    """Return ``SECRET_KEY`` from the environment, or one generated once and kept on disk.

    Keeping it in the data folder (mode 0600) means sessions survive restarts
    without anyone having to invent a key for a first run.
    """
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = DATA_DIR / "secret-key"
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    # Two processes starting at once on a new data folder: each writes its key to a file
    # of its own, then links it into place. A link is atomic and refuses to replace, so
    # the file appears whole or not at all; the one that loses reads the winner's key.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    mine = DATA_DIR / f".secret-key.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(mine, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        try:
            os.link(mine, path)
        except FileExistsError:
            return _read_key(path)
    finally:
        mine.unlink(missing_ok=True)
    return key


def _read_key(path: Path) -> str:
    key = path.read_text().strip()
    if not key:
        raise SystemExit(f"newswire: {path} is empty; delete it to have a new key made")
    return key


DEBUG = _flag("DEBUG")
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",  # login throttling (admin and partner logins)
    "csp",
    "ninja",  # serves the API docs' Swagger UI from our static files, not a CDN
    "django_tasks",
    "django_tasks_db",
    "newswire.wire",
    "newswire.partners",
    "newswire.distribution",
    "newswire.discovery",
    "newswire.pickups",
    "newswire.dashboard",
    "newswire.cms",
    "django_htmx",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "newswire.distribution.middleware.PrivateKeyedResponses",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login before checking it
    "django.contrib.auth.backends.ModelBackend",
]
# Five failed logins for one user name from one address lock that pair out for an hour
# (admin and partner pages alike); a success resets the count.
AXES_FAILURE_LIMIT = int(os.environ.get("NEWSWIRE_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Content Security Policy (django-csp): only this site's own scripts, styles and fonts;
# images from anywhere on the web (story photos and logos live on the newsroom's site).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # + the one inline style a partner copy carries (its photo fits a phone's width),
        # allowed by hash where the admin previews a copy
        "style-src": [
            "'self'",
            "'unsafe-hashes'",
            "'sha256-OFZH/KmE1spbRSh4CjNax9vyG1iEwWYtQyOeXApqoN4='",
        ],
        "img-src": ["'self'", "data:", "https:", "http:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

ROOT_URLCONF = "newswire.urls"
WSGI_APPLICATION = "newswire.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newswire.wire.context.wire",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'newswire.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web workers read while an import writes; see Django's SQLite notes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache: rendered story pages and feeds (keyed by what they show, so they are never
# stale), and short-lived values (the terms, the feeds' fingerprint) that may be up to
# NEWSWIRE_CACHE_SECONDS old. Per process by default; CACHE_URL=redis://host:6379/0 shares
# one between the web workers (and lets an edit reach every worker at once).
_cache_url = os.environ.get("CACHE_URL", "")
CACHES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
    if _cache_url.startswith(("redis://", "rediss://"))
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}
NEWSWIRE_CACHE_SECONDS = float(os.environ.get("NEWSWIRE_CACHE_SECONDS", "2"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Background work (correction notices to partners) runs in `newswire worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGIN_URL = "partners:login"
LOGIN_REDIRECT_URL = "partners:portal"
LOGOUT_REDIRECT_URL = "wire:home"

# Partner program limits
NEWSWIRE_APPLICATIONS_PER_HOUR = int(os.environ.get("NEWSWIRE_APPLICATIONS_PER_HOUR", "3"))
NEWSWIRE_API_RATE_PER_MINUTE = int(os.environ.get("NEWSWIRE_API_RATE_PER_MINUTE", "120"))
NEWSWIRE_FEED_ITEMS = 50
# New pages one client (IP address) may add to the beacon's table in a day; views of
# pages already there are always counted.
NEWSWIRE_BEACON_PAGES_PER_CLIENT = int(os.environ.get("NEWSWIRE_BEACON_PAGES_PER_CLIENT", "200"))
# `newswire worker`: a task RUNNING longer than this (seconds) was abandoned by a dead
# worker and is queued again; housekeeping runs this often (seconds); pickups are
# checked again this many days after they were found.
NEWSWIRE_TASK_TIMEOUT = int(os.environ.get("NEWSWIRE_TASK_TIMEOUT", "900"))
# the warm wire re-reads stories changed this many seconds before the latest change it saw:
# longer than the longest transaction that writes stories (pickups/wirescan.py)
NEWSWIRE_WIRE_OVERLAP = float(os.environ.get("NEWSWIRE_WIRE_OVERLAP", "120"))
# the worker writes the saved wire again once this many stories changed since it was written
# (each process keeps those over the saved one, and one that starts reads them: wirescan)
NEWSWIRE_WIRE_REWRITE = int(os.environ.get("NEWSWIRE_WIRE_REWRITE", "1000"))
NEWSWIRE_HOUSEKEEPING = float(os.environ.get("NEWSWIRE_HOUSEKEEPING", "60"))
# the key partners' WordPress application passwords are encrypted with (a Fernet key);
# unset: one derived from SECRET_KEY (distribution/secrets.py)
NEWSWIRE_SECRETS_KEY = os.environ.get("NEWSWIRE_SECRETS_KEY", "")

NEWSWIRE_RECHECK_DAYS = [
    int(d) for d in os.environ.get("NEWSWIRE_RECHECK_DAYS", "1,7").split(",") if d.strip()
]
# Beacon views are spooled to the data folder and recorded in batches this often
# (seconds); 0 writes each view to the database at once.
NEWSWIRE_BEACON_FLUSH_SECONDS = float(os.environ.get("NEWSWIRE_BEACON_FLUSH_SECONDS", "1"))
# A reader's repeat views of one page within this many seconds count once (0: every view)
NEWSWIRE_BEACON_REPEAT_SECONDS = int(os.environ.get("NEWSWIRE_BEACON_REPEAT_SECONDS", "1800"))
# Networks the safe fetcher may reach despite its public-addresses-only rule. For tests
# and local development only (their fake sites run on 127.0.0.1); empty in production.
# the demo only (`newswire demo` sets it): "domain=127.0.0.1:PORT,…", the made-up partner
# sites the demo serves itself (newswire/demo/sites.py); never set in production
NEWSWIRE_DEMO_SITES = [
    tuple(pair.split("=", 1))
    for pair in os.environ.get("NEWSWIRE_DEMO_SITES", "").split(",")
    if "=" in pair
]
NEWSWIRE_FETCH_ALLOW = [
    n.strip() for n in os.environ.get("NEWSWIRE_FETCH_ALLOW", "").split(",") if n.strip()
]
NEWSWIRE_NOTICE_RETRIES = 5
# Story sources (the newsroom's CMS): seconds between polls of a new source; the largest
# answer read (bytes); the total time one request may take (seconds); the most pages one
# poll follows; how often a WordPress site's list of posts is compared with ours to find
# deleted or unpublished posts (seconds).
NEWSWIRE_SOURCE_EVERY = int(os.environ.get("NEWSWIRE_SOURCE_EVERY", "300"))
NEWSWIRE_SOURCE_MAX_BYTES = int(os.environ.get("NEWSWIRE_SOURCE_MAX_BYTES", str(32 * 1024 * 1024)))
NEWSWIRE_SOURCE_TIMEOUT = float(os.environ.get("NEWSWIRE_SOURCE_TIMEOUT", "60"))
# a source's photos are copied into the wire's media store (cms/photos.py), at most this
# many bytes each
NEWSWIRE_SOURCE_PHOTOS = os.environ.get("NEWSWIRE_SOURCE_PHOTOS", "1") != "0"
NEWSWIRE_PHOTO_MAX_BYTES = int(os.environ.get("NEWSWIRE_PHOTO_MAX_BYTES", str(20 * 1024 * 1024)))
NEWSWIRE_SOURCE_MAX_PAGES = int(os.environ.get("NEWSWIRE_SOURCE_MAX_PAGES", "1000"))
NEWSWIRE_SOURCE_SWEEP = int(os.environ.get("NEWSWIRE_SOURCE_SWEEP", "3600"))
# Hosts and networks (comma-separated: "cms.internal,10.20.0.0/16") that story sources,
# and only sources, may reach although they are not public: a CMS on the newsroom's own
# network. Pickup fetches stay public-only whatever this says.
NEWSWIRE_PRIVATE_SOURCES = [
    n.strip() for n in os.environ.get("NEWSWIRE_PRIVATE_SOURCES", "").split(",") if n.strip()
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise looks here (filled by collectstatic)
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve the finder's files directly so that `newswire serve` works without a
# collectstatic step; fine at a newsroom's traffic, and a CDN can sit in front.
WHITENOISE_USE_FINDERS = True

_email = os.environ.get("EMAIL_URL", "console:")
if _email.startswith("smtp"):
    from urllib.parse import unquote, urlsplit

    _u = urlsplit(_email)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _u.hostname or "localhost"
    EMAIL_PORT = _u.port or 25
    EMAIL_HOST_USER = unquote(_u.username or "")
    EMAIL_HOST_PASSWORD = unquote(_u.password or "")
    EMAIL_USE_TLS = _email.startswith("smtp+tls")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "newswire@localhost")

BEHIND_TLS_PROXY = _flag("BEHIND_TLS_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = BEHIND_TLS_PROXY
if BEHIND_TLS_PROXY:
    # Served over TLS: browsers keep to https for a year, plain http is redirected.
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_SSL_REDIRECT = True
    # The beacon must answer plain http too: a partner page on http shows it.
    SECURE_REDIRECT_EXEMPT = [r"^beacon/"]
# HSTS preloading is a promise about the whole domain that only its owner can make:
# `check --deploy` would warn about it on every install (security.W021).
SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
