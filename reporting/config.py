"""Configuration from the environment.

``APP_ENV`` selects ``production`` (strict: ``SECRET_KEY`` must be set) or
``development`` (the default: a secret is generated once into ``instance/``).
Tests pass their settings to ``create_app`` directly, so nothing depends on
``FLASK_ENV``.
"""
from datetime import timedelta
import os
from pathlib import Path
import secrets

LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
RTL_LANGUAGES = frozenset({"ar"})


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


def default_settings(instance_path: Path) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL")
        or f"sqlite:///{instance_path / 'reporting.sqlite3'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
        "IDLE_TIMEOUT": timedelta(minutes=int(os.environ.get("IDLE_TIMEOUT_MINUTES", "30"))),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Failed sign-ins only: per account (the e-mail typed), and per client address.
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "5 per minute;30 per hour"),
        "LOGIN_ADDRESS_RATE_LIMIT": os.environ.get("LOGIN_ADDRESS_RATE_LIMIT", "20 per minute;100 per hour"),
        # How many proxies in front of the app append to X-Forwarded-For (0: trust none, use the connecting address).
        "TRUSTED_PROXIES": _whole_number("TRUSTED_PROXIES", "0", 10,
                                         "give the number of trusted proxies in front of the app, 0 to 10"),
        "WTF_CSRF_TIME_LIMIT": None,
        "LANGUAGES": LANGUAGES,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent.parent / "translations"),
        "REPORTS_DIR": os.environ.get("REPORTS_DIR") or str(instance_path / "reports"),
        # Background tasks (report builds, e-mail) go to RQ queue workers on this Redis when set.
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        # The niceness report rendering runs at (0 to 19): the processor serves the web workers first.
        "BUILD_NICENESS": _whole_number("BUILD_NICENESS", "10", 19, "give a niceness from 0 (as the web workers) "
                                                                       "to 19 (only idle processor time)"),
        "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
        # Open data and the public API (see README, "Open data and the public API").
        "OPEN_DATA_LICENSE_URL": os.environ.get("OPEN_DATA_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/"),
        "OPEN_DATA_LICENSE_NAME": os.environ.get("OPEN_DATA_LICENSE_NAME", "Creative Commons Attribution 4.0 International (CC BY 4.0)"),
        "OPEN_DATA_PUBLISHER": os.environ.get("OPEN_DATA_PUBLISHER", "United Nations Office on Drugs and Crime (UNODC)"),
        "OPEN_DATA_CITATION": os.environ.get("OPEN_DATA_CITATION", "{publisher} ({year}). Drug policy commitments: "
                                             "national reporting, cycle {cycle}, open data. {url}"),
        # Seconds a browser or proxy may reuse a public response without asking again.
        "PUBLIC_MAX_AGE": int(os.environ.get("PUBLIC_MAX_AGE", "300")),
        # Per client address (proxy-aware through TRUSTED_PROXIES), pages and API alike.
        "PUBLIC_RATE_LIMIT": os.environ.get("PUBLIC_RATE_LIMIT", "300 per minute"),
        # E-mail (Flask-Mailman). Without MAIL_SERVER messages go to the log and the admins' outbox page.
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "0") == "1",
        "MAIL_USE_SSL": os.environ.get("MAIL_USE_SSL", "0") == "1",
        "MAIL_TIMEOUT": int(os.environ.get("MAIL_TIMEOUT", "30")),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "reporting@localhost"),
        # The address the links in e-mails point to (never taken from a request's Host header).
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000"),
        "INVITATION_VALID_DAYS": int(os.environ.get("INVITATION_VALID_DAYS", "7")),
        "PASSWORD_RESET_VALID_MINUTES": int(os.environ.get("PASSWORD_RESET_VALID_MINUTES", "60")),
        # Uploads (see reporting/documents): evidence documents and offline workbooks.
        "MAX_DOCUMENT_BYTES": 20 * 1024 * 1024,
        "MAX_WORKBOOK_BYTES": 10 * 1024 * 1024,
        "DOCUMENTS_STORAGE": os.environ.get("DOCUMENTS_STORAGE", "local"),
        "DOCUMENTS_DIR": os.environ.get("DOCUMENTS_DIR") or str(instance_path / "documents"),
        "DOCUMENTS_S3_BUCKET": os.environ.get("DOCUMENTS_S3_BUCKET"),
        "DOCUMENTS_S3_PREFIX": os.environ.get("DOCUMENTS_S3_PREFIX", ""),
        "DOCUMENTS_S3_ENDPOINT_URL": os.environ.get("DOCUMENTS_S3_ENDPOINT_URL"),
        "DOCUMENTS_S3_REGION": os.environ.get("DOCUMENTS_S3_REGION"),
    }


def _whole_number(name: str, default: str, largest: int, advice: str) -> int:
    """A setting from 0 to ``largest`` (ASCII digits only); anything else stops the start with ``advice``."""
    raw = os.environ.get(name, default).strip()
    if not raw.isascii() or not raw.isdigit() or int(raw) > largest:
        raise ConfigError(f"{name}={raw!r}: {advice}")
    return int(raw)


def secret_key(instance_path: Path, production: bool) -> str:
    """The configured secret, or in development one generated once and kept in instance/."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if production:
        raise ConfigError(
            "SECRET_KEY is not set. In production set the SECRET_KEY environment variable "
            "to a long random value, e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`."
        )
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
