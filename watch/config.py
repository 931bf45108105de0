"""Configuration classes, chosen by WATCH_ENV: production unless it says development (or tests ask for testing).

Production reads its settings from the environment and refuses to start without safe ones
(check_production); development needs no setup, and `make demo` asks for it explicitly.
"""
import base64
import hashlib
import logging
import os
from datetime import timedelta
from urllib.parse import urlsplit

from cryptography.fernet import Fernet

from watch.core.languages import LANGUAGE_NAMES

DEFAULT_SECRET_KEY = "dev-only-not-secret"
# The checkout: templates/, static/, translations/, migrations/ and instance/ sit beside the package.
PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def development_key(label: str) -> str:
    """A fixed Fernet key made from a label, so the demo works without setup; production refuses these."""
    return base64.urlsafe_b64encode(hashlib.sha256(f"grannsamverkan {label}".encode()).digest()).decode()


DEVELOPMENT_TOTP_KEYS = [development_key("development totp"), development_key("testing totp")]


def database_url(url: str | None) -> str | None:
    """Use psycopg 3 for PostgreSQL URLs however the operator spelled the scheme."""
    if url and url.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))  # None: SQLite in instance/
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # TOTP secrets are encrypted at rest (watch/models/encryption.py) with these Fernet keys, comma-separated:
    # the first encrypts, every one decrypts, so a new key goes first while the old one still reads.
    TOTP_ENCRYPTION_KEYS = _env_list("TOTP_ENCRYPTION_KEYS", "")
    REDIS_URL = os.environ.get("REDIS_URL")
    # Rate-limit counters: Redis when REDIS_URL is set (create_app), else this process's memory.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI")
    RATELIMIT_HEADERS_ENABLED = True
    # Public pages for visitors who are not logged in, cached whole (watch/core/page_cache.py): in Redis when
    # REDIS_URL is set, else in this process's memory; browsers and proxies may keep them PUBLIC_PAGE_MAX_AGE.
    PUBLIC_PAGE_CACHE = os.environ.get("PUBLIC_PAGE_CACHE", "true").lower() != "false"
    PUBLIC_PAGE_CACHE_SECONDS = 300
    PUBLIC_PAGE_MAX_AGE = 60

    BABEL_DEFAULT_LOCALE = "sv"
    BABEL_DEFAULT_TIMEZONE = "Europe/Stockholm"
    BABEL_TRANSLATION_DIRECTORIES = os.path.join(PROJECT_ROOT, "translations")
    LANGUAGES = tuple(LANGUAGE_NAMES)

    # Phone numbers are parsed with Sweden as default region; only these country
    # calling codes are accepted, which also blocks SMS pumping to premium ranges abroad.
    PHONE_DEFAULT_REGION = "SE"
    PHONE_ALLOWED_COUNTRY_CODES = [int(c) for c in _env_list("PHONE_ALLOWED_COUNTRY_CODES", "46")]

    # argon2id parameters (argon2-cffi defaults follow RFC 9106's low-memory profile).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4

    MAX_CONTENT_LENGTH = 9 * 1024 * 1024
    # Compress the static files (htmx alone is 51 KB raw, 16 KB compressed) but never HTML: pages carry
    # the CSRF token beside text people typed, which compression would expose to a BREACH attack.
    COMPRESS_MIMETYPES = ["text/css", "text/javascript", "application/javascript", "image/svg+xml"]
    # Uploaded photos live outside static/ and are served only through access checks.
    # None: <instance folder>/uploads.
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER")
    # Where photos are stored (watch/core/photo_store.py): "database", "s3", "folder" (UPLOAD_FOLDER), or empty
    # to choose: S3 when PHOTO_S3_BUCKET is set, else the database when it is PostgreSQL, else the folder.
    PHOTO_STORAGE = os.environ.get("PHOTO_STORAGE", "")
    PHOTO_S3_BUCKET = os.environ.get("PHOTO_S3_BUCKET")
    PHOTO_S3_ENDPOINT_URL = os.environ.get("PHOTO_S3_ENDPOINT_URL")  # any S3-compatible store; none: AWS
    PHOTO_S3_PREFIX = os.environ.get("PHOTO_S3_PREFIX", "photos/")
    # Photos decoded at once on one machine (all workers together); each may take up to about 160 MB meanwhile.
    PHOTO_DECODE_SLOTS = int(os.environ.get("PHOTO_DECODE_SLOTS", "2"))
    # Observations older than this are anonymised (text, vehicle, place detail, photo, reporter removed).
    OBSERVATION_RETENTION_DAYS = int(os.environ.get("OBSERVATION_RETENTION_DAYS", "365"))
    # The address people and Twilio reach the portal at: links in emails, and what webhook signatures cover.
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")
    # Forwards are announced to the police this long after one: the forwards made meanwhile come in the same message.
    POLICE_NOTICE_DELAY_SECONDS = int(os.environ.get("POLICE_NOTICE_DELAY_SECONDS", "300"))
    # Coordinators who chose the daily summary get it at this hour, Swedish time (BABEL_DEFAULT_TIMEZONE).
    DAILY_SUMMARY_HOUR = int(os.environ.get("DAILY_SUMMARY_HOUR", "7"))
    # Logins (watch.auth.sessions): each ends after this long without a request, and in any case after the
    # lifetime (None: no limit). Staff see other people's data, so theirs are short.
    STAFF_SESSION_IDLE = timedelta(minutes=int(os.environ.get("STAFF_SESSION_IDLE_MINUTES", "30")))
    STAFF_SESSION_LIFETIME = timedelta(hours=int(os.environ.get("STAFF_SESSION_LIFETIME_HOURS", "12")))
    RESIDENT_SESSION_IDLE = timedelta(days=int(os.environ.get("RESIDENT_SESSION_IDLE_DAYS", "30")))
    RESIDENT_SESSION_LIFETIME = (timedelta(days=int(os.environ["RESIDENT_SESSION_LIFETIME_DAYS"]))
                                 if os.environ.get("RESIDENT_SESSION_LIFETIME_DAYS") else None)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a form left open on a phone for hours must still submit
    TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", "0"))
    # Log lines of gunicorn and the job workers: "json" (one object per line) or "text".
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    STRICT_TRANSPORT_SECURITY = None
    # Shown on the privacy notice and accessibility statement: where people write about this service. Each
    # municipality may set its own addresses (`flask municipalities set-contacts`); this is the fallback.
    CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "grannsamverkan@kommunen.example")
    AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "730"))
    # Retention of the rest, applied nightly (the privacy notice states each period). Days:
    # SMS people send in (replies to alerts, STOP/START) are deleted after this. Their author reads them
    # while the alert is current; a quarter covers following one up and the next EST meeting. A STOP
    # itself is kept by number as long as the number wants no SMS (SmsOptOut), not as a message.
    SMS_RETENTION_DAYS = int(os.environ.get("SMS_RETENTION_DAYS", "90"))
    # The phone number each alert went to is cleared after this; the delivery stays, without it, for the
    # alert's report and the lägesbild's counts. A reply is matched to an alert by that number, and nobody
    # answers a quarter-old alert, so the same 90 days as the replies.
    DELIVERY_RETENTION_DAYS = int(os.environ.get("DELIVERY_RETENTION_DAYS", "90"))
    # An alert's text is emptied after this. It describes incidents, sometimes people or vehicles, as an
    # observation does, so it is kept as long as observations keep theirs (OBSERVATION_RETENTION_DAYS).
    ALERT_TEXT_RETENTION_DAYS = int(os.environ.get("ALERT_TEXT_RETENTION_DAYS", "365"))
    # Phone verification records (number, code hash, tries) are deleted after this. A code works for 10
    # minutes; the record is kept a month so that a surprising SMS bill (the provider bills monthly) can be
    # traced to the accounts that asked for codes. The verified number itself stays on the account.
    VERIFICATION_RETENTION_DAYS = int(os.environ.get("VERIFICATION_RETENTION_DAYS", "30"))
    # The household list (addresses, who takes part) of a group archived longer than this is deleted.
    # A quarter leaves time to restart the group or hand the list over; after that it serves nobody.
    ROSTER_RETENTION_DAYS = int(os.environ.get("ROSTER_RETENTION_DAYS", "90"))

    # Email: "outbox" stores messages for the dev outbox page; "smtp" really sends them.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "outbox")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "true").lower() == "true"
    MAIL_FROM = os.environ.get("MAIL_FROM", "Grannsamverkan <noreply@grannsamverkan.local>")
    MAIL_TIMEOUT_SECONDS = 15

    # SMS: "outbox" stores each message for the dev outbox page and fakes delivery receipts;
    # "twilio" sends through Twilio. Only workers send; requests write rows and enqueue jobs.
    SMS_BACKEND = os.environ.get("SMS_BACKEND", "outbox")
    TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID")
    TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN")
    TWILIO_FROM = os.environ.get("TWILIO_FROM")
    TWILIO_MESSAGING_SERVICE_SID = os.environ.get("TWILIO_MESSAGING_SERVICE_SID")
    TWILIO_API_BASE_URL = os.environ.get("TWILIO_API_BASE_URL")  # a local fake Twilio in tests and benchmarks
    TWILIO_HTTP_TIMEOUT_SECONDS = float(os.environ.get("TWILIO_HTTP_TIMEOUT_SECONDS", "10"))
    SMS_RATE_PER_SECOND = float(os.environ.get("SMS_RATE_PER_SECOND", "10"))  # shared by all workers
    SMS_SEND_CONCURRENCY = int(os.environ.get("SMS_SEND_CONCURRENCY", "4"))  # send jobs per alert at once
    SMS_SEND_BATCH = 50  # a send job hands over after this many, so other jobs get a turn
    # Deliveries claimed (and send slots reserved, results written) together: one statement for this many.
    SMS_CLAIM_BATCH = int(os.environ.get("SMS_CLAIM_BATCH", "10"))
    DELIVERY_WRITE_BATCH = 5000  # deliveries the dispatch job writes per transaction
    SMS_RETRY_BASE_SECONDS = float(os.environ.get("SMS_RETRY_BASE_SECONDS", "30"))
    SMS_RETRY_MAX_SECONDS = 1800
    # A claim older than this belongs to a worker that died; keep it well above TWILIO_HTTP_TIMEOUT_SECONDS.
    SMS_CLAIM_TIMEOUT_SECONDS = int(os.environ.get("SMS_CLAIM_TIMEOUT_SECONDS", "300"))
    SMS_MAX_SEGMENTS = 6
    # Inbound SMS: more than this many from one number in an hour are kept but neither answered nor acted on.
    SMS_INBOUND_PER_HOUR = int(os.environ.get("SMS_INBOUND_PER_HOUR", "10"))
    # Inbound SMS from numbers that are no member's (in nobody's inbox) go sooner than SMS_RETENTION_DAYS.
    SMS_UNKNOWN_RETENTION_DAYS = 30

    # Web Push (watch/messaging/push.py). Make the keys with `flask push keys`; without them push is off.
    VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY")
    VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY")
    VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:grannsamverkan@kommun.example")
    # The browsers' push services (a host or any subdomain of it): Chrome, Firefox, Safari, Edge.
    PUSH_SERVICE_HOSTS = ("fcm.googleapis.com", "push.services.mozilla.com", "push.apple.com", "notify.windows.com")
    PUSH_SERVICE_SCHEMES = ("https",)
    PUSH_TTL_SECONDS = 24 * 3600  # notices that are not alerts (an alert's own validity is used for it)
    PUSH_RETRY_BASE_SECONDS = float(os.environ.get("PUSH_RETRY_BASE_SECONDS", "30"))
    PUSH_RETRY_MAX_SECONDS = 1800
    PUSH_HTTP_TIMEOUT_SECONDS = 10.0
    PUSH_CLAIM_TIMEOUT_SECONDS = 300


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    TOTP_ENCRYPTION_KEYS = Config.TOTP_ENCRYPTION_KEYS or [DEVELOPMENT_TOTP_KEYS[0]]
    DEBUG = False
    SHOW_DEMO_OUTBOX = True


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret"
    TOTP_ENCRYPTION_KEYS = [DEVELOPMENT_TOTP_KEYS[1]]
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    # Cheap hashes keep the suite fast; production uses the defaults above.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 64
    ARGON2_PARALLELISM = 1
    SHOW_DEMO_OUTBOX = True
    JOBS_IMMEDIATE = True  # jobs run inline, in their own app context
    PHOTO_STORAGE = "folder"  # the photo tests look at the files; tests/test_photo_store.py covers the database
    TWILIO_ACCOUNT_SID = "AC00000000000000000000000000000000"
    TWILIO_AUTH_TOKEN = "testing-auth-token"
    TWILIO_FROM = "+46766860000"
    TWILIO_HTTP_TIMEOUT_SECONDS = 2.0
    SMS_RATE_PER_SECOND = 0  # no pacing unless a test asks for it
    # A published pair for tests only (production refuses to start without its own keys being secret).
    VAPID_PRIVATE_KEY = "sWAg_w2Y3CyclmoaYA0Z16B14GRCh1-7CbWcWqDKWDs"
    VAPID_PUBLIC_KEY = "BGIBaIsRvnwE9WzGljU4_VWdXeyj752CGp3iMrrESZByVGXhpPkgfQ4bEr-Z75S5YRsLxV6Fi7gA_3qIYQtT84I"


class ProductionConfig(Config):
    ENV_NAME = "production"
    PUBLIC_URL = os.environ.get("PUBLIC_URL")  # no default: it must be the real https address
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    SMS_BACKEND = os.environ.get("SMS_BACKEND", "twilio")
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    # HTTPS only. SECURE_COOKIES=false is for trying the production stack over plain http on one's
    # own machine (make prod-local), never for an address other people use.
    SESSION_COOKIE_SECURE = REMEMBER_COOKIE_SECURE = os.environ.get("SECURE_COOKIES", "true").lower() != "false"
    # Browsers then refuse plain http for a year; only where TLS is certain.
    STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains" if SESSION_COOKIE_SECURE else None
    SHOW_DEMO_OUTBOX = False


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def check_production(config) -> None:
    """Refuse to start with settings that would be unsafe in production."""
    if problem := production_problem(config):
        if not os.environ.get("WATCH_ENV"):
            problem += (". WATCH_ENV is not set, so this is the production configuration; on a development "
                        "machine set WATCH_ENV=development (make demo does)")
        raise RuntimeError(problem)
    if not config.get("SESSION_COOKIE_SECURE"):
        logging.getLogger("watch").warning(
            "SECURE_COOKIES=false: login cookies travel over plain http. Only for trying this on your own machine.")


def production_problem(config) -> str | None:
    secret = config.get("SECRET_KEY") or ""
    if secret == DEFAULT_SECRET_KEY or len(secret) < 32:
        return "SECRET_KEY must be set to a random value of at least 32 characters"
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        return "DATABASE_URL must be set in production"
    limits = config.get("RATELIMIT_STORAGE_URI") or config.get("REDIS_URL") or ""
    if not limits or limits.startswith("memory:"):
        # Counters in each process's memory multiply the allowed guesses of passwords and codes by the
        # number of gunicorn workers and instances.
        return ("Production needs shared rate-limit counters: set REDIS_URL (or RATELIMIT_STORAGE_URI "
                "to a redis:// address), not memory://")
    keys = config.get("TOTP_ENCRYPTION_KEYS") or []
    if not keys:
        return ("TOTP_ENCRYPTION_KEYS must be set in production: one or more Fernet keys, comma-separated "
                "(make one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')")
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            return ("TOTP_ENCRYPTION_KEYS holds a value that is not a Fernet key "
                    "(32 bytes in url-safe base64, 44 characters)")
        if key in DEVELOPMENT_TOTP_KEYS:
            return "TOTP_ENCRYPTION_KEYS holds the development key, which is public; make a new one"
    try:
        public_url = urlsplit(config.get("PUBLIC_URL") or "")
        scheme, host = public_url.scheme, public_url.hostname
    except ValueError:  # e.g. an unclosed [IPv6 address
        scheme = host = None
    # Plain http only for trying the stack on one's own machine (make prod-local), as SECURE_COOKIES=false says.
    local_http = scheme == "http" and host in LOOPBACK_HOSTS and not config.get("SESSION_COOKIE_SECURE")
    if not (scheme == "https" and host) and not local_http:
        return ("PUBLIC_URL must be the portal's https:// address (links in emails and Twilio's webhook "
                "signatures use it)")
    if config.get("SMS_BACKEND") == "twilio" and not (
        config.get("TWILIO_ACCOUNT_SID") and config.get("TWILIO_AUTH_TOKEN")
        and (config.get("TWILIO_FROM") or config.get("TWILIO_MESSAGING_SERVICE_SID"))
    ):
        return ("SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM "
                "or TWILIO_MESSAGING_SERVICE_SID")
    return None


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None) -> type[Config]:
    """The configuration WATCH_ENV names; production when it names none, so that a forgotten setting is safe."""
    name = name or os.environ.get("WATCH_ENV") or "production"
    if name not in CONFIGS:
        raise RuntimeError(f"WATCH_ENV={name!r}: use one of {', '.join(CONFIGS)}")
    return CONFIGS[name]
