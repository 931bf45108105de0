"""Grannsamverkan portal: the application factory."""
import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from watch.config import PROJECT_ROOT, TestingConfig, check_production, config_for
from watch.extensions import babel, compress, csrf, db, htmx, limiter, login_manager, migrate


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=os.path.join(PROJECT_ROOT, "templates"),
        static_folder=os.path.join(PROJECT_ROOT, "static"),
    )
    app.config.from_object(TestingConfig if test_config is not None else config_for(None))
    app.config.from_mapping(test_config or {})
    if app.config["ENV_NAME"] == "production":
        check_production(app.config)
        app.config["SHOW_DEMO_OUTBOX"] = False  # whatever a setting says: it shows password-reset links
    os.makedirs(app.instance_path, exist_ok=True)
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config.get("SQLALCHEMY_DATABASE_URI") or (
        "sqlite:///" + os.path.join(app.instance_path, "watch.db")
    )
    app.config["RATELIMIT_STORAGE_URI"] = (
        app.config.get("RATELIMIT_STORAGE_URI") or app.config.get("REDIS_URL") or "memory://"
    )
    if hops := app.config["TRUSTED_PROXY_HOPS"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)

    init_extensions(app)
    register_blueprints(app)
    return app


def init_extensions(app: Flask) -> None:
    from watch import jobs
    from watch.core import (
        i18n, input_guard, logs, memory, page_cache, redact, security, static_files, templating, transaction,
    )
    from watch.messaging import push

    memory.return_large_blocks_to_the_system()  # decoded photos must not keep a worker big (watch/core/memory.py)
    db.init_app(app)
    transaction.init_app(app)  # first registered, so its after_request hook runs last
    migrate.init_app(app, db, directory=os.path.join(PROJECT_ROOT, "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    htmx.init_app(app)
    compress.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    security.init_app(app)
    input_guard.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    page_cache.init_app(app)
    jobs.init_app(app)
    redact.install(app)
    logs.init_app(app)
    static_files.init_app(app)
    push.init_app(app)


def register_blueprints(app: Flask) -> None:
    from watch.core import errors
    from watch.cli import register_cli
    from watch.audit.routes import bp as audit_bp
    from watch.alerts.routes import bp as alerts_bp
    from watch.auth.routes import bp as auth_bp
    from watch.coordinator.routes import bp as coordinator_bp
    from watch.groups.routes import bp as groups_bp
    from watch.inbox.routes import bp as inbox_bp
    from watch.lagesbild.routes import bp as lagesbild_bp
    from watch.main.routes import bp as main_bp
    from watch.messaging.routes import bp as messaging_bp
    from watch.messaging.routes import sms_bp
    from watch.auth.routes import mfa_bp
    from watch.privacy.routes import bp as privacy_bp
    from watch.observations.routes import bp as observations_bp
    from watch.webapp.routes import bp as webapp_bp
    from watch.boats.routes import bp as boats_bp
    from watch.partners.routes import bp as partners_bp
    from watch.open311.routes import bp as open311_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(messaging_bp)
    app.register_blueprint(mfa_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(observations_bp)
    app.register_blueprint(boats_bp)
    app.register_blueprint(groups_bp)
    app.register_blueprint(coordinator_bp)
    app.register_blueprint(lagesbild_bp)
    app.register_blueprint(alerts_bp)
    app.register_blueprint(inbox_bp)
    app.register_blueprint(sms_bp)
    app.register_blueprint(webapp_bp)
    app.register_blueprint(partners_bp)
    app.register_blueprint(open311_bp)
    errors.register(app)
    register_cli(app)
