"""Settings of the QIC platform, read from the environment (12-factor) with strict parsing."""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
_env = environ.Env()


def env_str(name: str, default: str | None = None) -> str:
    value = _env.str(name, default=default)
    if value is None:
        raise ImproperlyConfigured(f"{name} must be set")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = _env.str(name, default="")
    if raw == "":
        return default
    if raw.lower() in ("true", "1", "yes", "on"):
        return True
    if raw.lower() in ("false", "0", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = _env.str(name, default="")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = _env.str(name, default="")
    if raw == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

_DEV_SECRET = "dev-only-insecure-key-never-use-in-production-0123456789abcdefghijklmnop"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else None)
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("SECRET_KEY must be set to a secret value when DEBUG is off")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# A stale token gives the page back with what was typed, not an error page (qic.views.csrf_failure).
CSRF_FAILURE_VIEW = "qic.views.csrf_failure"
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "dsfr",  # before django.forms so its widget templates win
    "django.forms",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_htmx",
    "template_partials",
    "django_filters",
    "django_celery_beat",
    "csp",
    "rest_framework",  # the partner API (issue 19, package `api`)
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "qic",
    "collectives",
    "sites",
    "vision",
    "evaluation",
    "collectives.security",
    "fixtures",  # seed_demo and seed_synthetic: demonstration and synthetic data, apart from the apps
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "qic.audit.AuditUserMiddleware",
    "collectives.security.middleware.LoginRequiredMiddleware",  # Django's; a form sent late keeps its text
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "collectives.security.middleware.SessionLifetimeMiddleware",
    "collectives.security.middleware.MFARequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "qic.middleware.SiteScopeMiddleware",
    "qic.middleware.PrivateCacheMiddleware",
]

ROOT_URLCONF = "qic.urls"
WSGI_APPLICATION = "qic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "qic.templating.DjangoTemplates",  # Django's, contexts freed once rendered
        "NAME": "django",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qic.context_processors.platform",
                "sites.context_processors.notifications",
                "collectives.security.context_processors.session_clock",
            ],
            # The French text filters (dates, numbers, plurals, spaces) are available in every template.
            "builtins": ["qic.templatetags.qic_text"],
        },
    },
]
FORM_RENDERER = "qic.forms.Renderer"  # text fields: input cleaned, limit stated

DATABASES = {"default": _env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the runserver and an in-process task share the file. Transactions start
    # IMMEDIATE: a writer takes the lock when it begins, so concurrent requests wait their turn (busy
    # timeout) instead of failing with "database is locked" when a read transaction tries to write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
else:
    # Each web and worker process keeps its connection (a new PostgreSQL backend per request costs more than
    # most pages), checked before reuse after an error or a restart of the server.
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 300)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # `QuerySet.iterator()` reads through a plain cursor, not a server-side one. Every select of a form that
    # lists rows (a wave, a region, a site, a facilitator) reads its choices with `iterator()`, and outside a
    # transaction a server-side cursor costs four round trips (DECLARE ... WITH HOLD, FETCH, FETCH, CLOSE)
    # and is never prepared: the regions' select took 3.6 ms (1.9 ms of processor time) instead of 0.8 ms
    # (0.5 ms), twice on the bilans page. Nothing reads a table too large for one result (the largest read,
    # the open data, builds its whole list anyway).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    # Prepared statements: psycopg binds the parameters on the server and prepares a statement once its
    # connection has run it five times, so PostgreSQL stops planning it again. Planning was most of
    # PostgreSQL's work on our pages (a member's site page: 2.0 ms of planning for 0.5 ms of execution, the
    # membership join alone 0.8 ms): its processor time per page fell 5.5 -> 1.7 ms on the trinôme's pages
    # and by 3-5 ms on the dashboard's (2,000 sites). Off (QIC_DB_PREPARED=false) behind a pooler that cannot
    # keep them (PgBouncer in transaction mode): only speed changes. A statement prepared before a migration
    # changed its table is prepared again (qic/db.py).
    if env_bool("QIC_DB_PREPARED", True):
        from qic.db import PreparedCursor

        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5, cursor_factory=PreparedCursor
        )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "collectives.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    # allauth's, signing in only with a login address (never with an address merely added to an account).
    "collectives.security.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: login by email, no public sign-up, rate limits on (allauth's defaults).
ACCOUNT_ADAPTER = "collectives.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "collectives.forms.LoginForm",
    "reset_password": "collectives.forms.ResetPasswordForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
# An address someone adds is only a request: it replaces their login address once they follow the link sent to
# it, and designates their account nowhere before (collectives/services/identity.py).
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[QIC] "
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
# Behind N reverse proxies (nginx: 1), the client's address for allauth's per-IP rate limits is read from
# X-Forwarded-For; 0 (the default) ignores that header, which any client could forge.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Quartiers à impact collectif"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads (the registrations import): a file past the cap is counted, never stored (qic/uploads.py).
QIC_UPLOAD_MAX_BYTES = env_int("QIC_UPLOAD_MAX_BYTES", 2 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "qic.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
WHITENOISE_USE_FINDERS = DEBUG
DSFR_USE_INTEGRITY_CHECKSUMS = False

REDIS_URL = env_str("REDIS_URL", "")
# The default cache holds security counters, not speed-ups: allauth's rate limits (sign-in failures, password
# resets) and the two-factor codes already used (no replay). They live in the database, shared by every
# process and there whenever anyone can sign in: a Redis cache would make Redis a dependency of signing in,
# and one that swallows its errors would turn the rate limits off, or refuse every code, while it is down.
# The table is created by a migration (qic/migrations).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "qic_cache"}}

# Sessions live in the database only (Django's default `db` engine), whether Redis runs or not: signing in
# does not depend on Redis, and a session ended while Redis was down cannot come back from a cached copy.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Celery. Production: Redis (REDIS_URL). `make demo`: a folder as the broker (QIC_BROKER_DIR, kombu's
# filesystem transport: nothing to install) shared by the web server and its worker (fixtures' `rundemo`).
# With neither, tasks run in-process, after commit (the tests; a bare `manage.py runserver`).
QIC_BROKER_DIR = env_str("QIC_BROKER_DIR", "")
if REDIS_URL and QIC_BROKER_DIR:
    raise ImproperlyConfigured("REDIS_URL and QIC_BROKER_DIR are two brokers: set one of them")
CELERY_BROKER_URL = REDIS_URL or ("filesystem://localhost//" if QIC_BROKER_DIR else "memory://")
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not (REDIS_URL or QIC_BROKER_DIR)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Tasks are queued through qic/queue.py: kept in the database while Redis is down, sent when it is back. A
# request never waits long on an unreachable Redis (a refused connection fails at once; these bound the rest).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    "socket_connect_timeout": 1,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
if QIC_BROKER_DIR:
    _broker = Path(QIC_BROKER_DIR).resolve()
    for _folder in ("queue", "control", "results"):
        (_broker / _folder).mkdir(parents=True, exist_ok=True)
    # One folder is both ends of the queue; results (a batch's chord counts its bilans) are files beside it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker / "queue"),
        "data_folder_out": str(_broker / "queue"),
        "control_folder": str(_broker / "control"),
    }
    CELERY_RESULT_BACKEND = f"file://{_broker / 'results'}"  # Celery reads the path as is (no %-decoding)
CELERY_BEAT_SCHEDULE = {
    "qic.publish_pending": {"task": "qic.publish_pending", "schedule": 60.0},
    # Notification e-mails whose task was lost (sites.notifications); the tasks themselves come on time.
    "sites.send_due_notification_mails": {"task": "sites.send_due_notification_mails", "schedule": 300.0},
    "qic.forget_api_requests": {"task": "qic.forget_api_requests", "schedule": crontab(hour=4, minute=10)},
    "qic.forget_ended_sessions": {
        "task": "qic.forget_ended_sessions",
        "schedule": crontab(hour=4, minute=20),
    },
}
# The audit log keeps the partner API's requests this long (the changes they made are kept for good).
QIC_API_REQUESTS_KEPT_DAYS = env_int("QIC_API_REQUESTS_KEPT_DAYS", 365)
# Notification e-mails wait this long after a person's first unsent one, so a burst of edits is one message.
QIC_NOTIFICATION_MAIL_DELAY = env_int("QIC_NOTIFICATION_MAIL_DELAY", 120)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Background work (report rendering, digests) yields the processor to people's requests: each worker process
# lowers its own scheduling priority by this much (0 to 19; 0 keeps the web's priority). See qic/celery.py.
QIC_WORKER_NICENESS = env_int("QIC_WORKER_NICENESS", 10)
if not 0 <= QIC_WORKER_NICENESS <= 19:
    raise ImproperlyConfigured("QIC_WORKER_NICENESS must be between 0 and 19")
# Web processes freeze what the loaded application holds out of the garbage collector's reach and collect
# less often (qic/warmup.py: a quarter of the dashboard's processor time). Off: only speed changes.
QIC_GC_TUNING = env_bool("QIC_GC_TUNING", True)

EMAIL_CONFIG = _env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
vars().update(EMAIL_CONFIG)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "sent_emails"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Quartiers à impact collectif <no-reply@qic.anct.gouv.fr>")
# Where people write (accessibility, personal data) and who hosts the service: the legal pages name them.
QIC_CONTACT_EMAIL = env_str("QIC_CONTACT_EMAIL", "qic@anct.gouv.fr")
QIC_HOSTING = env_str("QIC_HOSTING", "")  # the host's name, address and telephone (LCEN, article 6)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. Production sits behind a TLS-terminating proxy.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # Only a loopback benchmark over plain HTTP turns these off (bench/load.py).
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)

# Account security (sign-on, two-factor, sessions: issue 10).
# Two-factor authentication is required for national staff, the steering committee and admin accounts; off for
# `make demo` (DEBUG=true) so that the demo accounts sign in with their password alone.
QIC_MFA_REQUIRED = env_bool("QIC_MFA_REQUIRED", not DEBUG)
MFA_ADAPTER = "collectives.security.mfa.MFAAdapter"
MFA_TOTP_TOLERANCE = 1  # accept the previous and next 30-second code (clock drift of phones)
# A session ends after this much inactivity; SESSION_COOKIE_AGE above is its absolute lifetime from sign-in.
QIC_SESSION_IDLE_SECONDS = env_int("QIC_SESSION_IDLE_SECONDS", 30 * 60)
if QIC_SESSION_IDLE_SECONDS <= 0 or SESSION_COOKIE_AGE <= 0:
    raise ImproperlyConfigured("QIC_SESSION_IDLE_SECONDS and SESSION_COOKIE_AGE must be positive")
# allauth.usersessions lists a person's sessions; our middleware records activity (not one query a request).
USERSESSIONS_TRACK_ACTIVITY = False

# ProConnect, the State's identity federation (OpenID Connect): off unless all three are set.
# PROCONNECT_ISSUER is the issuer URL, e.g. https://auth.agentconnect.gouv.fr/api/v2; discovery is read from
# its /.well-known/openid-configuration.
PROCONNECT_ISSUER = env_str("PROCONNECT_ISSUER", "").rstrip("/")
PROCONNECT_CLIENT_ID = env_str("PROCONNECT_CLIENT_ID", "")
PROCONNECT_CLIENT_SECRET = env_str("PROCONNECT_CLIENT_SECRET", "")
PROCONNECT_SCOPES = env_str("PROCONNECT_SCOPES", "openid email given_name usual_name siret")
PROCONNECT_SIGNING_ALGORITHM = env_str("PROCONNECT_SIGNING_ALGORITHM", "RS256")
PROCONNECT_TIMEOUT_SECONDS = env_int("PROCONNECT_TIMEOUT_SECONDS", 10)
_proconnect = [PROCONNECT_ISSUER, PROCONNECT_CLIENT_ID, PROCONNECT_CLIENT_SECRET]
if any(_proconnect) and not all(_proconnect):
    raise ImproperlyConfigured(
        "PROCONNECT_ISSUER, PROCONNECT_CLIENT_ID and PROCONNECT_CLIENT_SECRET must be set together"
    )
if PROCONNECT_ISSUER and not PROCONNECT_ISSUER.startswith("https://") and not DEBUG:
    raise ImproperlyConfigured("PROCONNECT_ISSUER must be an https:// URL")
if PROCONNECT_SIGNING_ALGORITHM not in ("RS256", "ES256"):
    raise ImproperlyConfigured("PROCONNECT_SIGNING_ALGORITHM must be RS256 or ES256")
if "openid" not in PROCONNECT_SCOPES.split() or "email" not in PROCONNECT_SCOPES.split():
    raise ImproperlyConfigured("PROCONNECT_SCOPES must include openid and email")

# Content-Security-Policy: no inline script, no eval, nothing from outside.
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
# Permissions-Policy: no page of the platform uses the browser's sensors, devices or payment, so none may
# (nor anything an injected script could ask for); fullscreen stays for our own pages. Only features Chromium
# knows: it warns in the console about others (ambient-light-sensor, bluetooth).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
PERMISSIONS_POLICY["fullscreen"] = ["self"]
if PROCONNECT_ISSUER:
    # Sign-in and sign-out forms are answered by a redirect to ProConnect: form-action must allow it.
    from urllib.parse import urlsplit

    _issuer = urlsplit(PROCONNECT_ISSUER)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(f"{_issuer.scheme}://{_issuer.netloc}")

# What the national dashboard calls a stalled site (used from the National tracking issue on).
QIC_STALL_DAYS = env_int("QIC_STALL_DAYS", 60)
QIC_VISION_DUE_MONTHS = env_int("QIC_VISION_DUE_MONTHS", 6)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Collectives (invitations and seat handovers): how long an emailed invitation link stays valid.
QIC_INVITATION_DAYS = env_int("QIC_INVITATION_DAYS", 14)
# PDFs (qic/pdf/): WeasyPrint's step-by-step progress and font subsetting notes are not worth logging.
LOGGING["loggers"].update({"weasyprint.progress": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}})

# Reports (bilans and national roll-ups, issue 8). Files go to MEDIA_ROOT/reports/ and are served only through
# the access-checked download views. QIC_REPORT_WRITE_PAUSE_SECONDS pauses each report file half-written: only
# for the test that kills a worker mid-report (0, the default: no pause).
QIC_REPORT_WRITE_PAUSE_SECONDS = env_int("QIC_REPORT_WRITE_PAUSE_SECONDS", 0)

# The partner API (issue 19): `/api/v1/`, package `api`. Keys (`sites.ApiKey`) or a signed-in session;
# errors as problem details; rate limits per key in the `api` cache.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiKeyAuthentication",  # first: its `WWW-Authenticate` makes refusals 401s
        "api.authentication.SignedInSession",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ApiAccess"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.KeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": env_str("QIC_API_RATE", "600/min")},
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# The rate-limit counters are an optimisation of the load, not security counters (a key is 256 random bits):
# in Redis when it is configured (the API's throttle serves requests unlimited while Redis is down, see
# api/throttling.py), in each process's memory otherwise (`make demo`).
CACHES["api"] = (
    {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "qic-api",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "qic-api"}
)
SPECTACULAR_SETTINGS = {
    "TITLE": "API partenaires — Quartiers à impact collectif",
    "DESCRIPTION": (
        "Lecture de l’avancement du programme (vagues, régions, sites et leur avancement, vision et "
        "stratégie adoptées, indicateurs et mesures, sessions, bilans publiés) et saisie des mesures et des "
        "présences par les systèmes des partenaires. Authentification par clé d’API "
        "(« Authorization : Bearer <clé> »), remise par l’équipe nationale de l’ANCT pour un périmètre "
        "(national, régions d’un CRPV, un site) et des droits (lecture, ou lecture et saisie). "
        "Erreurs au format « problem details » (RFC 9457). Chaque requête, lecture comprise, est inscrite "
        "au journal d’audit de la plateforme (organisation et préfixe de la clé, adresse demandée, réponse) "
        "et y reste un an."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files: no CDN (CSP `'self'`)
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "persistAuthorization": False},
    "TAGS": [
        {"name": "Programme", "description": "Vagues, régions et départements."},
        {"name": "Sites", "description": "Les sites visibles par votre clé, leur avancement, leur vision."},
        {"name": "Indicateurs", "description": "Indicateurs des changements et leurs mesures."},
        {"name": "Sessions", "description": "Sessions, personnes invitées et présences."},
        {"name": "Bilans", "description": "Bilans des sites publiés et leurs fichiers."},
    ],
}
