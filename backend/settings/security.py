"""Who may come in and how: authentication, tokens, the SSO/HR service, CORS, CSP,
HTTPS and cookies, secrets at rest, trusted proxies."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

from corsheaders.defaults import default_headers as _cors_default_headers
from django.utils.csp import CSP

from backend.settings.base import DEBUG, JWT_SIGNING_KEY, SECRET_KEY, env

# --------------------------------------------------------------------------- auth

AUTHENTICATION_BACKENDS = ["api.accounts.backends.RolePermissionBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "CHECK_USER_IS_ACTIVE": True,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": JWT_SIGNING_KEY,
    "ISSUER": env.str("JWT_ISSUER", default="ptb-overtime"),
    "AUDIENCE": env.str("JWT_AUDIENCE", default="ptb-overtime-api"),
    "LEEWAY": 5,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_CLAIM": "user_id",
    # Tokens carry a hash of the password: changing it ends every session.
    "CHECK_REVOKE_TOKEN": True,
}

# The company's SSO/HR service. Paths are configurable because the contract is ours
# (docs/external-api.md); the bundled reference server implements the defaults.
EXTERNAL_API_URL = env.str("EXTERNAL_API_URL", default="http://127.0.0.1:9001")
EXTERNAL_API_TIMEOUT = env.float("EXTERNAL_API_TIMEOUT", default=30.0)
# The reference server's key by default; `check --deploy` refuses it (api.E004).
EXTERNAL_API_KEY = env.str("EXTERNAL_API_KEY", default="dev-hr-api-key")
EXTERNAL_API_LOGIN_PATH = env.str("EXTERNAL_API_LOGIN_PATH", default="/auth/login")
EXTERNAL_API_VERIFY_PATH = env.str("EXTERNAL_API_VERIFY_PATH", default="/auth/verify")
EXTERNAL_API_REVOKE_PATH = env.str("EXTERNAL_API_REVOKE_PATH", default="/auth/revoke")
EXTERNAL_API_EMPLOYEES_PATH = env.str("EXTERNAL_API_EMPLOYEES_PATH", default="/hr/employees")
EXTERNAL_API_DEPARTMENTS_PATH = env.str("EXTERNAL_API_DEPARTMENTS_PATH", default="/hr/departments")
# One person, by the service's id: what a refresh of an SSO session asks about.
EXTERNAL_API_EMPLOYEE_PATH = env.str(
    "EXTERNAL_API_EMPLOYEE_PATH", default="/hr/employees/{external_id}"
)
EXTERNAL_JWT_ALGORITHM = env.str("EXTERNAL_JWT_ALGORITHM", default="HS256")
EXTERNAL_JWT_ISSUER = env.str("EXTERNAL_JWT_ISSUER", default="ptb-external-sso")
EXTERNAL_JWT_AUDIENCE = env.str("EXTERNAL_JWT_AUDIENCE", default="ptb-overtime")
# Optional: the service's signing key, to check signatures locally before asking it.
EXTERNAL_JWT_VERIFY_KEY = env.str("EXTERNAL_JWT_VERIFY_KEY", default="")
# Upper bound on how long a positive validation is trusted from cache; never longer
# than the token's own remaining lifetime.
EXTERNAL_TOKEN_CACHE_SECONDS = env.int("EXTERNAL_TOKEN_CACHE_SECONDS", default=300)
# How long an SSO user stays vouched for: a refresh asks the service again after this.
# Someone it no longer knows, or reports inactive, is refused and signed out everywhere.
EXTERNAL_REVALIDATE_SECONDS = env.int("EXTERNAL_REVALIDATE_SECONDS", default=300)

# First superadmin, created by `initialize_data` when these are set.
DJANGO_SUPERADMIN_USERNAME = env.str("DJANGO_SUPERADMIN_USERNAME", default="")
DJANGO_SUPERADMIN_EMAIL = env.str("DJANGO_SUPERADMIN_EMAIL", default="")
DJANGO_SUPERADMIN_PASSWORD = env.str("DJANGO_SUPERADMIN_PASSWORD", default="")

# --------------------------------------------------------------------------- CORS, CSP, security

# The front-end's origins, the one list for it: the API's CORS and the pages that may
# open sockets (backend/asgi.py). ALLOWED_HOSTS names only this server's own hosts.
CORS_ALLOWED_ORIGINS = [
    origin.strip()
    for origin in env.str("CORS_ALLOWED_ORIGINS", default="http://localhost:3333").split(",")
    if origin.strip()
]
CORS_ALLOW_CREDENTIALS = True
# A browser client reads these from answers (ETag/304 lists, 202 + Location jobs,
# 429's Retry-After, the request id to quote in a bug report) and sends these two.
CORS_EXPOSE_HEADERS = ["ETag", "Location", "Retry-After", "X-Request-ID"]
CORS_ALLOW_HEADERS = [*_cors_default_headers, "if-none-match", "x-request-id"]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=CORS_ALLOWED_ORIGINS)

# Swagger UI and ReDoc are served from bundled files; they inject styles and ReDoc
# runs a blob: worker, hence the two relaxations.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "worker-src": [CSP.SELF, "blob:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# nginx terminates TLS and says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Probes inside the container speak plain HTTP to Daphne.
SECURE_REDIRECT_EXEMPT = [r"^api/health/"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# The preload directive only matters once the domain is submitted to the browsers list.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True

# Secrets at rest (SMB passwords): Fernet keys, newest first, comma separated, so keys
# can be rotated. Without one, a key is derived from SECRET_KEY (fine for development;
# `check --deploy` fails on it, api.E003).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
if not FIELD_ENCRYPTION_KEYS:
    FIELD_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()
    ]
    FIELD_ENCRYPTION_KEY_DERIVED = True
else:
    FIELD_ENCRYPTION_KEY_DERIVED = False

# How many reverse proxies (nginx) stand in front of Daphne; their X-Forwarded-For is
# trusted for client addresses in sessions and audit logs. 0 = use the peer address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Role given to people the first time they sign in through the SSO.
EXTERNAL_DEFAULT_ROLE = env.str("EXTERNAL_DEFAULT_ROLE", default="staff")
