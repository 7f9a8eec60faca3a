"""Django's admin autodiscovery imports `api.admin`: each domain registers its own models."""

from api.accounts import admin as accounts_admin  # noqa: F401
from api.audit import admin as audit_admin  # noqa: F401
from api.calendar import admin as calendar_admin  # noqa: F401
from api.kanban import admin as kanban_admin  # noqa: F401
from api.notifications import admin as notifications_admin  # noqa: F401
from api.org import admin as org_admin  # noqa: F401
from api.overtime import admin as overtime_admin  # noqa: F401
from api.purchasing import admin as purchasing_admin  # noqa: F401
from api.realtime import admin as realtime_admin  # noqa: F401
from api.reports import admin as reports_admin  # noqa: F401
from api.system import admin as system_admin  # noqa: F401
