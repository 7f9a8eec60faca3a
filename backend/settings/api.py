"""The HTTP API: DRF (authentication classes, parsers, pagination, throttling), the
API docs, the list caches, defaults of the domains."""

from __future__ import annotations

from backend.settings.base import env

# --------------------------------------------------------------------------- DRF

THROTTLING_ENABLED = env.bool("THROTTLING_ENABLED", default=False)
# Password guessing is bounded whatever THROTTLING_ENABLED says
# (api/accounts/auth/login_guard.py): failed sign-ins per account and per client
# address in a window that starts at the first failure.
LOGIN_FAILURES_PER_ACCOUNT = env.int("LOGIN_FAILURES_PER_ACCOUNT", default=5)
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=50)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)
EXPORT_THROTTLE_RATE = env.str("EXPORT_THROTTLE_RATE", default="10/min")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.accounts.auth.authentication.LocalJWTAuthentication",
        "api.accounts.auth.authentication.ExternalJWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["api.common.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "api.common.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.common.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "api.common.filters.FilterBackend",
        "api.common.limits.BoundedSearchFilter",
        "api.common.filters.DocumentedOrderingFilter",
    ],
    "EXCEPTION_HANDLER": "api.common.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "api.common.throttling.SwitchableAnonThrottle",
        "api.common.throttling.SwitchableUserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("ANON_THROTTLE_RATE", default="60/min"),
        "user": env.str("USER_THROTTLE_RATE", default="1000/min"),
        "login": env.str("LOGIN_THROTTLE_RATE", default="10/min"),
        "export": EXPORT_THROTTLE_RATE,
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SWAGGER_SETTINGS = {
    "SECURITY_DEFINITIONS": {
        "Bearer": {
            "type": "apiKey",
            "name": "Authorization",
            "in": "header",
            "description": "`Bearer <access token>` from /api/auth/login/local/ or the SSO.",
        }
    },
    "USE_SESSION_AUTH": False,
    # None, not "": Swagger UI would otherwise send the schema's address to an online
    # validator on another host. The docs ask no host but this one.
    "VALIDATOR_URL": None,
    "DEFAULT_INFO": "backend.urls.api_info",
    "DEEP_LINKING": True,
    "DEFAULT_AUTO_SCHEMA_CLASS": "api.common.schema.ErrorDocumentingAutoSchema",
    "DEFAULT_FIELD_INSPECTORS": [
        "api.common.schema.ReadOnlyTextInspector",
        "drf_yasg.inspectors.CamelCaseJSONFilter",
        "drf_yasg.inspectors.ReferencingSerializerInspector",
        "drf_yasg.inspectors.RelatedFieldInspector",
        "drf_yasg.inspectors.ChoiceFieldInspector",
        "drf_yasg.inspectors.FileFieldInspector",
        "drf_yasg.inspectors.DictFieldInspector",
        "drf_yasg.inspectors.JSONFieldInspector",
        "drf_yasg.inspectors.HiddenFieldInspector",
        "drf_yasg.inspectors.RecursiveFieldInspector",
        "drf_yasg.inspectors.SerializerMethodFieldInspector",
        "drf_yasg.inspectors.SimpleFieldInspector",
        "drf_yasg.inspectors.StringDefaultFieldInspector",
    ],
}
SWAGGER_USE_COMPAT_RENDERERS = False

# List counts at or above this many rows are cached (see api/common/pagination.py).
COUNT_CACHE_MIN_ROWS = env.int("COUNT_CACHE_MIN_ROWS", default=1000)
COUNT_CACHE_SECONDS = env.int("COUNT_CACHE_SECONDS", default=60)
# Rendered list pages (the overtime list) are served again for the same user and
# query until a row they show changes, or this many seconds (api/common/list_cache.py).
# 0 turns it off.
LIST_CACHE_SECONDS = env.int("LIST_CACHE_SECONDS", default=60)
# Rows of the overtime list a process keeps rendered, by the values they were
# rendered from (api/common/page_statement.py): a page rebuilt after a write renders
# only its rows that changed. Two generations of this many rows (~3.7 KB a row: the
# default holds at most ~7.5 MB a process); 0 turns it off.
PAGE_ROWS_REMEMBERED = env.int("PAGE_ROWS_REMEMBERED", default=1000)

# ISO 4217 code used when a purchase request does not name one.
DEFAULT_CURRENCY = env.str("DEFAULT_CURRENCY", default="IDR")
