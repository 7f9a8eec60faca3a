"""PTB Overtime settings: one file, every difference comes from the environment.

With no environment at all this runs the *embedded default*: SQLite, an in-memory
channel layer, a local-memory cache, Celery tasks executed eagerly and reports
written to a local folder. Setting ``DATABASE_URL``/``REDIS_URL`` (or the
``SQL_*``, ``CELERY_*``, ``REDIS_*`` variables) switches to PostgreSQL and Redis.
Every variable is listed, with a comment, in ``.env.example``.

The settings are read from one package, by topic, each module taking what it needs
from those before it: `base` (paths, environment, keys, apps), `database` (database,
Redis, cache, channel layer), `security` (authentication, SSO, CORS, CSP, HTTPS),
`api` (DRF, API docs, list caches), `background` (Celery, reports, SMB), `logs`
(logging, request ids), `realtime` (sockets). DJANGO_SETTINGS_MODULE stays
"backend.settings".
"""

# In this order: a module may change what an earlier one set (background gives Celery
# its local folder broker when database found none), and the later value is the one read.
# isort: off
from backend.settings.base import *  # noqa: F403
from backend.settings.database import *  # noqa: F403
from backend.settings.security import *  # noqa: F403
from backend.settings.api import *  # noqa: F403
from backend.settings.background import *  # noqa: F403
from backend.settings.logs import *  # noqa: F403
from backend.settings.realtime import *  # noqa: F403
# isort: on
