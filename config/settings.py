"""Settings for the Integrating Cities Benchmark platform.

Everything that differs between a laptop and production comes from the environment (see the
README's Configuration section). `DJANGO_ENV=production` switches the hardening on; it is checked
by `manage.py check --deploy --fail-level WARNING`.
"""

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from lib.env import ConfigurationError, database_from_url, env_bool, env_int, env_list, env_networks, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "test", "production"}:
    raise ConfigurationError(f"DJANGO_ENV must be development, test or production, not {DJANGO_ENV!r}")
PRODUCTION = DJANGO_ENV == "production"

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ConfigurationError("SECRET_KEY must be set when DJANGO_ENV=production")
    SECRET_KEY = "dev-only-insecure-key-never-used-in-production-0123456789abcdef"  # noqa: S105 - refused in production above

DEBUG = env_bool("DEBUG", default=not PRODUCTION and DJANGO_ENV != "test")
if PRODUCTION and DEBUG:
    # Debug pages show settings, SQL and source to anyone who triggers an error; a production start with
    # DEBUG on is a mistake in the environment, so it stops here rather than running exposed.
    raise ConfigurationError("DEBUG must be off when DJANGO_ENV=production (unset DEBUG or set DEBUG=false)")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if not PRODUCTION else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The proxies (load balancers, reverse proxies) in front of the app, as networks or addresses. Rate limits
# and lockouts count the client's address (lib.clients.client_ip): from a peer in these networks it is
# the right-most X-Forwarded-For entry outside them; empty, X-Forwarded-For is ignored and REMOTE_ADDR
# counts. See docs/deploy.md.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")

# Where the five source toolkits live; tests compare the library against them when present.
SEEDS_DIR = Path(env_str("SEEDS_DIR", str(BASE_DIR.parent / "shared" / "seeds")))
LIBRARY_DATA_DIR = BASE_DIR / "data"

INSTALLED_APPS = [
    "accounts.apps.NetworkAdminConfig",  # Django's admin, signed in only through accounts' login
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "accounts",
    "editing",
    "benchmarks",
    "cities",
    "assessments",
    "evidence",
    "practices",
    "actionplans",
    "mentoring",
    "communities",
    "django_tasks",
    "django_tasks_db",
    "outbox",
    "pages",  # the pages that gather several apps' panels
    "demo",  # last: the demo loader fills every app above
]

AUTH_USER_MODEL = "accounts.User"
# Who must use a second factor besides staff (accounts.actions.mfa_required): rules of the apps above
# accounts, named here so that accounts applies them without importing an app above it.
MFA_REQUIRED_FOR = ["mentoring.access.must_use_second_factor"]
LOGIN_URL = "accounts:login"
# Where a sign-in without `next` lands: the person's workspaces (or the page to request one).
LOGIN_REDIRECT_URL = "cities:workspaces"
LOGOUT_REDIRECT_URL = "pages:home"

# Sessions (docs/quality.md S3): 30 minutes idle, 12 hours at most, ended server side at logout.
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
RECOVERY_CODE_ITERATIONS = env_int("RECOVERY_CODE_ITERATIONS", 20_000)
PASSWORD_RESET_TIMEOUT = 60 * 60  # reset links are valid for one hour (S2)
# Invitations mail any address, so they are limited (S8): per inviting user per hour, per workspace per day.
INVITATIONS_PER_USER_PER_HOUR = env_int("INVITATIONS_PER_USER_PER_HOUR", 20)
INVITATIONS_PER_WORKSPACE_PER_DAY = env_int("INVITATIONS_PER_WORKSPACE_PER_DAY", 50)

# E-mail goes to the console unless an SMTP host is configured.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
# EMAIL_FILE_PATH writes each mail to a file in that folder instead (the browser tests read them there).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH")
if EMAIL_FILE_PATH:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Integrating Cities Benchmark <no-reply@localhost>")
# A mail server that accepts the connection and then says nothing must not hold a worker for long
# (Django's default is no timeout at all): the attempt fails and is retried later (outbox/tasks.py).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)

# Background tasks (mail): a queue in the database, worked through by `manage.py db_worker` (docs/deploy.md).
# With DJANGO_ENV=test (the browser tests' server) tasks run in place, as soon as they are queued; pytest
# does the same (conftest.py), and the tests of the queue itself switch back to the database.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if DJANGO_ENV == "test"
            else "django_tasks_db.DatabaseBackend"
        ),
    },
}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lib.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.MFARequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "lib.errors.ErrorIdMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
            # lib/ is not an app: its template library (`bdi`, for user text inside sentences) is named here.
            "libraries": {"text": "lib.templatetags.text"},
        },
    },
]

DATABASES = {
    "default": database_from_url(env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers (many people autosaving at once, perf/autosave.py): SQLite's default
    # deferred transactions read first and fail with "database is locked" when two then try to write;
    # IMMEDIATE takes the write lock at the start of each atomic block, so writers queue (up to
    # `timeout` seconds) instead, which also makes select_for_update's read-check-write safe here.
    # WAL lets page views read while a save commits; the database is then three files (name, -wal,
    # -shm): copy them together, or use SQLite's backup API.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT: Path | None = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
if not PRODUCTION:
    # Outside production WhiteNoise serves straight from static/ (no collectstatic needed).
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True
    if not env_str("STATIC_ROOT"):
        STATIC_ROOT = None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Uploaded files (evidence) go to the default storage: a folder outside the web root, never served by
# a URL of its own (no MEDIA_URL): only through permission-checked views (docs/quality.md S6).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
UPLOAD_MAX_BYTES = 20 * 1024 * 1024
# Files over 2.5 MB are streamed to a temporary file, not held in memory; LimitedUploadHandler skips a
# file past UPLOAD_MAX_BYTES before it is written anywhere.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "lib.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    # Django's, but a full disk deletes the partial temporary file and the form says so (lib/uploads.py).
    "lib.uploads.TemporaryFileUploadHandler",
]
FILE_UPLOAD_PERMISSIONS = 0o640

# Headers and cookies (docs/quality.md S1, S7). The CSP itself is set by lib.security.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
