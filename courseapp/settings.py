"""Settings, read from the environment in this one place (see .env.example).

Defaults are safe for production; development conveniences apply only when DEBUG is on.
"""

import hashlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import django
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.csp import CSP

from courseapp.logs import stdout_json_logging

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def dev_secret_key() -> str:
    """A random key kept in var/ so development sessions survive restarts."""
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        VAR_DIR.mkdir(exist_ok=True)
        path.write_text(get_random_secret_key())
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or (dev_secret_key() if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "axes",
    "courseapp.accounts",
    "courseapp.catalog",
    "courseapp.quizzes",
    "courseapp.progress",
    "courseapp.flashcards",
    "courseapp.insights",
    "courseapp.pages",
    "courseapp.pipeline",
]

MIDDLEWARE = [
    "courseapp.catalog.middleware.probe_middleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A read that met a lost database runs again for a few seconds (session reads included).
    "courseapp.errors.DatabaseReadRetry",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "courseapp.accounts.middleware.idle_session_middleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A view that lost its database connection answers the 503 page.
    "courseapp.errors.DatabaseOutageMiddleware",
    # Last, as django-axes requires: turns a locked-out login into its 429 response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "courseapp.urls"
WSGI_APPLICATION = "courseapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        # Persistent connections, checked before reuse so a restarted PostgreSQL is survived.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Requests run short queries whose cost estimates can still pass jit_above_cost; compiling
    # them took PostgreSQL longer than running them (50 ms on the insights page).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# A read that lost its database connection is run again for this long before a 503: a restart or
# failover of a few seconds costs nobody a page (the thread waits meanwhile).
DATABASE_READ_RETRY_SECONDS = float(os.environ.get("DATABASE_READ_RETRY_SECONDS", "3"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Four caches: "content" holds what lesson pages, answers and searches read for every student
# alike (catalog.content_cache), "student" what one student's own writes change (their
# dashboard: courseapp.student_cache), "course" each course's row as pages read it first
# (catalog.course_cache) and the open problem reports (quizzes.report_cache), "default" the
# rest (insights statistics, sessions). Content keys carry the course's content version and
# statistics expire after a minute; a student's writes drop what "student" holds for them, an
# import what "course" holds. With REDIS_URL all four live in that Redis, shared by every
# process and replica, so a statistic is computed once, not once per worker; Redis trouble only
# turns them into misses (courseapp.cache). Without it each process keeps "default" and
# "content" in its own memory (`make run`, tests), and "student" and "course" keep nothing: a
# worker's own copy would outlive a write another process made.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Seconds to wait for Redis before serving from the database instead: a healthy Redis answers
# within a millisecond, and a page must not hang on a sick one.
REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "0.25"))

# Cached values are pickled objects and rendered HTML, which another version of the code may
# not read as it meant them, and during a rolling update both share one Redis. So what the
# content cache holds, the statistics and what `courseapp.versioned_cache` keeps are named by the
# version of the code that wrote them; replicas of one version share them. What says that
# something changed (a student's or course's version), sessions and rate limits are shared by
# every version.


def code_release() -> str:
    """A short name for this version of the code: its modules, templates and static files (pages
    name them by their hash), and Django's version."""
    digest = hashlib.blake2b(django.get_version().encode(), digest_size=6)
    sources = [*BASE_DIR.glob("courseapp/**/*.py"), *BASE_DIR.glob("templates/**/*.html")]
    sources += [path for path in BASE_DIR.glob("static/**/*") if path.is_file()]
    for path in sorted(sources):
        digest.update(str(path.relative_to(BASE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


CACHE_RELEASE = code_release()


def cache(alias: str, max_entries: int | None, prefix: str = "") -> dict:
    """The settings of one cache alias: on Redis, with its own key prefix (`prefix` added), or
    in memory, up to `max_entries`; with None for them, nothing is kept without Redis."""
    if REDIS_URL:
        return {
            "BACKEND": "courseapp.cache.FaultTolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"courseapp:{alias}{prefix}",
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
        }
    if max_entries is None:
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    return {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": alias,
        "OPTIONS": {"MAX_ENTRIES": max_entries},
    }


# Memory sizes for a few large courses; Redis evicts by its own maxmemory policy instead.
CACHES = {
    "default": cache("default", 1_000),
    "content": cache("content", 5_000, prefix=f":{CACHE_RELEASE}"),
    "student": cache("student", None),
    "course": cache("course", None),
}

# Sessions live in the database. With a shared Redis they are read from it first and fall back
# to the database on a miss or an outage, so nobody is logged out. A per-process memory cache
# in front would let one worker keep a session that another has ended at logout: not used.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)
SESSION_CACHE_ALIAS = "default"

# django-axes checks every login first and counts failures in the database, so a lockout holds
# across all web replicas and restarts.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Lockouts are still logged; the start-up banner and per-login lines would clutter stdout.
AXES_VERBOSE = False
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
# Username and address together: a class behind one school NAT is not locked out by one student.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "courseapp.proxy.client_ip"

# Sign-ups and password reset requests per hour, counted by django-ratelimit in the default cache
# per client address (courseapp.proxy; an IPv6 client by its /64) and, for resets, per e-mail
# address. With REDIS_URL every process and replica shares the counts; without it each process
# counts for itself, so a client gets at most the limit times the number of processes.
# django_ratelimit is not an installed app: its app only adds a system check that refuses both
# that per-process cache and any Redis backend but django-redis's.
SIGNUPS_PER_HOUR_PER_ADDRESS = int(os.environ.get("SIGNUPS_PER_HOUR_PER_ADDRESS", "5"))
PASSWORD_RESETS_PER_HOUR_PER_ADDRESS = int(
    os.environ.get("PASSWORD_RESETS_PER_HOUR_PER_ADDRESS", "5")
)
PASSWORD_RESETS_PER_HOUR_PER_EMAIL = int(os.environ.get("PASSWORD_RESETS_PER_HOUR_PER_EMAIL", "3"))
RATELIMIT_IP_META_KEY = "courseapp.proxy.client_ip"
# While Redis is out of reach its counts cannot be read: let requests through, as every other
# use of the cache does, rather than refuse every sign-up and reset until it is back.
RATELIMIT_FAIL_OPEN = True

# Argon2id first (accounts/hashers.py); PBKDF2 stays listed so existing hashes still verify, and
# each is rehashed with Argon2id at its user's next login.
PASSWORD_HASHERS = [
    "courseapp.accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
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

# A session ends after this long without a request (accounts.middleware), and in any case
# SESSION_COOKIE_AGE (Django's two weeks) after it began.
SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_SECONDS", str(2 * 60 * 60)))

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Tests and local production-like runs serve static files from the finders, no collectstatic needed.
WHITENOISE_USE_FINDERS = DEBUG or env_bool("WHITENOISE_USE_FINDERS", False)

CONTENT_ROOT = Path(os.environ.get("CONTENT_ROOT", BASE_DIR / "content"))
# A content file larger than this is refused by the import (a lesson is far smaller).
CONTENT_MAX_FILE_BYTES = int(os.environ.get("CONTENT_MAX_FILE_BYTES", 1_000_000))
# Live preview (development): `import_content --watch` writes the outcome of each run here, and
# lesson pages reload or show its errors when DEBUG is on (catalog.preview, pages.preview).
PREVIEW_STATUS_FILE = Path(os.environ.get("PREVIEW_STATUS_FILE", VAR_DIR / "preview.json"))

# Security: safe by default; the HTTPS settings can be switched off for plain-HTTP local runs.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips it from clients).
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many trusted proxies append to X-Forwarded-For; 0 means REMOTE_ADDR is the client.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
# Probes speak plain HTTP inside the cluster (probe_middleware answers them first anyway).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    # htmx is served from our static files and tagged with the per-request nonce.
    "script-src": [CSP.SELF, CSP.NONCE],
    # The code editor's structural styles come in a <style> element tagged with the nonce.
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Requests bigger than this are refused before a view sees them (answers are small).
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024

# Password reset mail: printed to the console in development, SMTP from the environment otherwise.
MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "EMAIL_BACKEND",
            "django.core.mail.backends.console.EmailBackend"
            if DEBUG
            else "django.core.mail.backends.smtp.EmailBackend",
        ),
        "OPTIONS": {}
        if DEBUG
        else {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("EMAIL_PORT", "587")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", True),
        },
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "courses@localhost")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "pages:dashboard"
LOGOUT_REDIRECT_URL = "catalog:index"

# One JSON object per line on stdout; the container runtime collects it.
LOGGING = stdout_json_logging(
    level=os.environ.get("LOG_LEVEL", "INFO"), own_loggers=("django", "django.server")
)
