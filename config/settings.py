"""fulian settings: one module, every deployment-specific value from the environment.

Quick start (``make demo``) needs nothing: SQLite in the project folder, DEBUG on, a
development key. Production sets FULIAN_SECRET_KEY, FULIAN_DATA_KEYS, FULIAN_HASH_KEY,
DATABASE_URL and FULIAN_ALLOWED_HOSTS (see README "Deploy").
"""

import os
import tempfile
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines of a local environment file (``#`` comments and blank lines skipped)."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#"):
            values[key.strip()] = value.strip()
    return values


# `make demo` writes the demo's settings (its development keys, its database) to `.env`, so that
# the README's shell commands work as written in a new shell. The real environment wins over the
# file; the tests never read it (they choose their own database); a deployment has no such file
# (or names its own with FULIAN_ENV_FILE) and still refuses to start without real keys.
if os.environ.get("FULIAN_TESTING", "") != "1":
    _ENV_FILE = Path(os.environ.get("FULIAN_ENV_FILE", BASE_DIR / ".env"))
    if _ENV_FILE.is_file():
        for _key, _value in read_env_file(_ENV_FILE).items():
            os.environ.setdefault(_key, _value)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("FULIAN_DEBUG")
TESTING = env_bool("FULIAN_TESTING")
# The built-in development keys serve the demo, development and tests; a deployment that
# sets none of these switches must give its own keys or the site refuses to start.
DEV_KEYS = DEBUG or TESTING or env_bool("FULIAN_DEV_KEYS")
_DEV_SECRET = "dev-only-not-secret-fulian-0123456789abcdefghijklmnopqrstuvwxyz"
SECRET_KEY = os.environ.get("FULIAN_SECRET_KEY", _DEV_SECRET if DEV_KEYS else "")
if not SECRET_KEY:
    raise RuntimeError("FULIAN_SECRET_KEY must be set (or FULIAN_DEV_KEYS=1 for a demo).")

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("FULIAN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")]

# --- HTTPS ----------------------------------------------------------------------------------
# A deployment is served over HTTPS (README "Deploy"): secure cookies, HSTS, and plain-HTTP
# requests redirected. The demo, development and tests run over plain HTTP. FULIAN_HTTPS=0 lets a
# deployment opt out (a closed training network without certificates); it is never the default.
HTTPS = env_bool("FULIAN_HTTPS", not DEV_KEYS)
# How many proxies of ours sit in front and append to X-Forwarded-For (0: use REMOTE_ADDR). A
# deployment behind a proxy (nginx terminating TLS, deploy/nginx) also takes the proxy's word for
# the scheme: it sets X-Forwarded-Proto itself, overwriting whatever a client sent.
FULIAN_PROXY_COUNT = int(os.environ.get("FULIAN_PROXY_COUNT", "0"))
if FULIAN_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
# The health check answers over plain HTTP too: a service manager or a load balancer probes the
# server directly, not through the proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("FULIAN_HSTS_SECONDS", str(365 * 24 * 3600 if HTTPS else 0)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("FULIAN_HSTS_SUBDOMAINS", True)
# Preloading is a promise to browser makers for the whole domain, which a federation's site (often a
# subdomain of a government domain) cannot make on its own; hence no preload, and its check is off.
SECURE_HSTS_PRELOAD = False
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# Forms posted from the site's own hosts are trusted as they are served: https://<each allowed
# host> ("*.example.org" for ".example.org"). FULIAN_CSRF_TRUSTED_ORIGINS adds others (a host
# reached on a non-standard port, e.g. "https://fulian.example.org:8443").
CSRF_TRUSTED_ORIGINS = [
    f"{'https' if HTTPS else 'http'}://{'*' + host if host.startswith('.') else host}"
    for host in ALLOWED_HOSTS
    if host and host != "*"
] + [o.strip() for o in os.environ.get("FULIAN_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
# Scripts, styles, fonts, images and requests come from the site itself only: the pages carry no
# inline script or style (fulian.core.middleware.ContentSecurityPolicyMiddleware sends this).
# Images may also be data:/blob: URLs (a chosen photo's preview, icons inside the stylesheets).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "fulian.core",
    "fulian.audit",
    "fulian.orgs",
    "fulian.accounts",
    "fulian.people",
    "fulian.households",
    "fulian.grid",
    "fulian.campaigns",
    "fulian.duties",
    "fulian.points",
    "fulian.imports",
    "fulian.exports",
    "fulian.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "fulian.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fulian.core.middleware.SessionIdleMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fulian.core.middleware.PagesLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "fulian.accounts.gate.AccountGateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "fulian.core.middleware.VaryOnHtmxMiddleware",
    "fulian.audit.middleware.AuditContextMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fulian.core.context_processors.shell",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------
# SQLite is the embedded default; DATABASE_URL=postgres://... selects PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'fulian.sqlite3'}",
        conn_max_age=int(os.environ.get("FULIAN_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Ledgers and loaders need the write lock up front (DESIGN.md §3); WAL lets readers go on.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The test database is a file, not memory: the tests run the background worker as a
    # separate process against it. One file per test run (by process id), in the temporary folder.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"fulian-test-{os.getpid()}.sqlite3")}
if os.environ.get("FULIAN_TEST_DB_NAME"):
    # Lets parallel test runs on one PostgreSQL server use separate test databases.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["FULIAN_TEST_DB_NAME"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["fulian.accounts.backends.UsernameOrMobileBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Tests hash hundreds of passwords; argon2 itself is covered by a test that overrides this.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "fulian.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "fulian.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Lockout policy (issue 2): 5 failures lock an account for 15 minutes; 30 failures from one
# address across accounts block that address for the same window.
FULIAN_LOCKOUT_ACCOUNT_FAILURES = 5
FULIAN_LOCKOUT_IP_FAILURES = 30
FULIAN_LOCKOUT_MINUTES = 15
# API tokens expire this many days after they are issued (a new one is a login away).
FULIAN_TOKEN_DAYS = int(os.environ.get("FULIAN_TOKEN_DAYS", "30"))

# Caches. "template_fragments" holds the pieces of the page shell that depend only on the
# language and the menu's entries ({% cache %} in templates/base.html). It is always local to
# the process, so a deploy that changes a template starts with it empty.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    "template_fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "template_fragments",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}

# Sessions end after 30 minutes without a request. Rather than rewriting the session row on
# every request, fulian.core.middleware.SessionIdleMiddleware renews it at most once a minute.
SESSION_COOKIE_AGE = 30 * 60
SESSION_RENEW_SECONDS = 60
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "fulian.core.views.csrf_failure"

# --- personal data ------------------------------------------------------------------------
# FULIAN_DATA_KEYS: comma-separated "keyid:base64-32-bytes", the first encrypts, all decrypt.
# FULIAN_HASH_KEY: the key of the searchable keyed hash (HMAC-SHA256). See docs/decisions.md.
_DEV_DATA_KEY = "dev:ZGV2LW9ubHktZGF0YS1rZXktMzItYnl0ZXMtbG9uZyE="
FULIAN_DATA_KEYS = os.environ.get("FULIAN_DATA_KEYS", _DEV_DATA_KEY if DEV_KEYS else "")
FULIAN_HASH_KEY = os.environ.get("FULIAN_HASH_KEY", "dev-only-hash-key" if DEV_KEYS else "")
if not (FULIAN_DATA_KEYS and FULIAN_HASH_KEY):
    raise RuntimeError("FULIAN_DATA_KEYS and FULIAN_HASH_KEY must be set (or FULIAN_DEV_KEYS=1 for a demo).")

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- static and media -------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static", BASE_DIR / "build" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("FULIAN_MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: a bad or missing token is then a 401 with WWW-Authenticate, not a 403.
    # Both classes also apply the account's gates (a second factor, a password to change).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "fulian.accounts.authentication.ApiTokenAuthentication",
        "fulian.accounts.authentication.GatedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["fulian.core.filter_backend.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "fulian.core.drf.PagePagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "fulian.core.drf.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "fulian API",
    "DESCRIPTION": "The women's federation grassroots platform. Every endpoint is scoped to "
    "the caller's organisation subtree; objects outside it are 404.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "fulian.core.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "fulian.accounts.choices.Role",
        "LevelEnum": "fulian.orgs.choices.Level",
        "HouseholdCategoryEnum": "fulian.households.choices.HouseholdCategory",
        "MemberCategoryEnum": "fulian.households.choices.MemberCategory",
        "PostKindEnum": "fulian.people.choices.PostKind",
        "ImportKindEnum": [("people", "people"), ("households", "households"), ("assignments", "assignments")],
        "AssignmentModeEnum": "fulian.grid.choices.Mode",
        "ContactModeEnum": "fulian.grid.choices.ContactMode",
        "CampaignKindEnum": "fulian.campaigns.choices.CampaignKind",
        "RubricItemKindEnum": "fulian.campaigns.choices.ItemKind",
        "RequestKindEnum": "fulian.duties.choices.RequestKind",
        "RequestStepKindEnum": "fulian.duties.choices.StepKind",
        "PointsVersionStatusEnum": "fulian.points.choices.VersionStatus",
        "PointsClaimStatusEnum": "fulian.points.choices.ClaimStatus",
        "PointsOrderStatusEnum": "fulian.points.choices.OrderStatus",
        "PointsHolderKindEnum": "fulian.points.choices.HolderKind",
        "PointsEntryKindEnum": "fulian.points.choices.EntryKind",
        "PointsItemKindEnum": "fulian.points.choices.ItemKind",
        "PointsSourceEnum": "fulian.points.choices.Source",
        "PointsEarnerEnum": "fulian.points.choices.Earner",
        "PointsHonourBasisEnum": "fulian.points.choices.HonourBasis",
        "PointsStockChangeEnum": [("receipt", "receipt"), ("adjust", "adjust")],
    },
}

# --- background tasks -------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend" if TESTING else "django_tasks_db.DatabaseBackend"
        )
    }
}
# A background import (or its check) that shows no progress for this long is taken for stopped
# (its worker killed or gone) and marked failed; a 100,000-row import takes well under a minute.
FULIAN_IMPORT_STALE_MINUTES = float(os.environ.get("FULIAN_IMPORT_STALE_MINUTES", "30"))
# A list export of up to this many rows downloads at once; a longer one is prepared by the worker
# (fulian/exports). nginx's timeout for the at-once exports (deploy/nginx) is sized for 10,000.
FULIAN_EXPORT_SYNC_ROWS = int(os.environ.get("FULIAN_EXPORT_SYNC_ROWS", "10000"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("FULIAN_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
