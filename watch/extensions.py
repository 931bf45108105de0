"""Flask extensions, created unbound and initialised in create_app."""
from flask_babel import Babel
from flask_caching import Cache
from flask_compress import Compress
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from watch.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
htmx = HTMX()
compress = Compress()
cache = Cache()  # whole public pages (watch.core.page_cache)
limiter = Limiter(key_func=get_remote_address)
