"""Flask extensions, created here and bound in :func:`core.create_app` (``init_app``)."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def install_session_teardown(app) -> None:
    """Close the request's database session before Flask-SQLAlchemy's own teardown does, without letting a dead
    connection turn an answered request into a 500.

    When the database restarts between a request's last statement and its end, the closing ``ROLLBACK`` fails
    (``AdminShutdown``): Flask-SQLAlchemy's teardown would raise it after the response was computed, and the
    server would answer 500 although the work was committed. SQLAlchemy has already invalidated that connection
    (the pool opens a fresh one, ``pool_pre_ping``); here the failure is logged and the session dropped.
    Teardown functions run in reverse order: registered after ``db.init_app``, this one runs first.
    """
    import logging

    from sqlalchemy.exc import DBAPIError

    logger = logging.getLogger("core.extensions")

    @app.teardown_appcontext
    def close_database_session(_exc=None):
        try:
            db.session.remove()
        except DBAPIError as error:
            logger.warning("database connection lost while closing the session: %s", type(error.orig).__name__)
            try:
                db.session.remove()
            except DBAPIError:
                db.session.registry.clear()
