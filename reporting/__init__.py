"""The Flask application: register → questionnaire spec → forms → responses → reports.

``create_app`` is the only entry point (``wsgi.py``, the ``flask`` CLI and the
tests all use it); each domain step is a subpackage with its own blueprint
and CLI group, registered here by name.
"""
import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from reporting.config import ConfigError, default_settings, secret_key


class RowId(IntegerConverter):
    """``<int:…>`` in every route is a row id: a number beyond a database INTEGER is no row (404),
    rather than an overflow error from PostgreSQL."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = RowId
    instance_path = Path(app.instance_path)
    production = os.environ.get("APP_ENV", "development") == "production"
    app.config.update(default_settings(instance_path))
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(instance_path, production)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        instance_path.mkdir(parents=True, exist_ok=True)

    if app.config.get("TRUSTED_PROXIES"):
        # The client address (and scheme) from X-Forwarded-For/-Proto, as set by exactly this many
        # proxies of our own; anything a client adds in front of them is ignored.
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    from reporting import database  # noqa: F401  (engine event listeners)
    from reporting import audit  # noqa: F401  (append-only guards)
    from reporting.accounts import access
    from reporting.core import i18n, security, templating
    from reporting.notifications import delivery
    from reporting.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    access.init_app(app)
    templating.init_app(app)
    delivery.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from reporting.accounts.admin import bp as admin_bp
    from reporting.accounts.views import bp as accounts_bp
    from reporting.api.views import bp as api_bp
    from reporting.core.errors import init_app as init_errors
    from reporting.core.views import bp as core_bp
    from reporting.countries.views import bp as countries_bp
    from reporting.documents.views import bp as documents_bp
    from reporting.opendata.api import bp as public_api_bp
    from reporting.opendata.views import bp as opendata_bp
    from reporting.publication.views import bp as public_bp, root_bp as public_root_bp
    from reporting.reports.views import bp as reports_bp
    from reporting.responses.views import bp as responses_bp

    for blueprint in (core_bp, accounts_bp, admin_bp, countries_bp, responses_bp, documents_bp, reports_bp, api_bp,
                      public_bp, public_root_bp, opendata_bp, public_api_bp):
        app.register_blueprint(blueprint)
    init_errors(app)


def _register_cli(app: Flask) -> None:
    from reporting.accounts.cli import users_cli
    from reporting.backup.cli import backup_cli
    from reporting.catalogs.cli import translations_cli
    from reporting.countries.cli import countries_cli
    from reporting.demo.cli import demo_command
    from reporting.opendata.cli import opendata_cli
    from reporting.questionnaire.cli import spec_cli
    from reporting.register.cli import register_cli
    from reporting.reports.cli import report_cli
    from reporting.responses.cli import cycle_cli
    from reporting.tasks.cli import queue_cli

    for group in (users_cli, countries_cli, register_cli, spec_cli, cycle_cli, report_cli, demo_command, translations_cli,
                  queue_cli, backup_cli, opendata_cli):
        app.cli.add_command(group)


__all__ = ["ConfigError", "create_app"]
