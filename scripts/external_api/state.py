"""What the running server knows and changes (config, directory, counters, revoked
tokens), and the tokens it signs and checks."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt

from scripts.external_api.directory import DirectorySnapshot, JsonObject, invalid_token

# The one algorithm tokens are signed and accepted with. Pinned: the token header never
# chooses the algorithm, which blocks "alg": "none" and algorithm-confusion attacks.
ALGORITHM = "HS256"
REQUIRED_CLAIMS = ("iss", "aud", "sub", "iat", "exp", "jti")


@dataclass(frozen=True)
class ServiceConfig:
    secret: str
    api_key: str
    issuer: str
    audience: str
    token_ttl: int
    verbose: bool = False


@dataclass
class ServiceState:
    """Everything that changes while the server runs; every access goes through the lock."""

    snapshot: DirectorySnapshot
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: Counter[str] = field(default_factory=Counter)
    revoked: dict[str, int] = field(default_factory=dict)  # jti -> exp, pruned when expired

    def current(self) -> DirectorySnapshot:
        with self.lock:
            return self.snapshot

    def replace_directory(self, snapshot: DirectorySnapshot) -> None:
        with self.lock:
            self.snapshot = snapshot

    def count_request(self, key: str) -> None:
        with self.lock:
            self.requests[key] += 1

    def request_counts(self) -> dict[str, int]:
        with self.lock:
            return dict(sorted(self.requests.items()))

    def reset_counts(self) -> None:
        with self.lock:
            self.requests.clear()

    def revoke(self, jti: str, exp: int) -> None:
        now = int(time.time())
        with self.lock:
            # Expired tokens fail verification anyway; forgetting them bounds the set.
            for stale in [j for j, e in self.revoked.items() if e < now]:
                del self.revoked[stale]
            self.revoked[jti] = exp

    def is_revoked(self, jti: str) -> bool:
        with self.lock:
            return jti in self.revoked


# --------------------------------------------------------------------------- tokens


def issue_token(employee: Mapping[str, Any], config: ServiceConfig) -> tuple[str, JsonObject]:
    now = int(time.time())
    claims: JsonObject = {
        "iss": config.issuer,
        "aud": config.audience,
        "sub": employee["external_id"],
        "username": employee["username"],
        "email": employee["email"],
        "name": f"{employee['first_name']} {employee['last_name']}".strip(),
        "employee_code": employee["employee_code"],
        "department_code": employee.get("department_code"),
        "iat": now,
        "exp": now + config.token_ttl,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, config.secret, algorithm=ALGORITHM), claims


# Most specific first: e.g. ExpiredSignatureError and InvalidSignatureError are subclasses.
_TOKEN_ERRORS: tuple[tuple[type[Exception], str], ...] = (
    (jwt.ExpiredSignatureError, "token has expired"),
    (jwt.ImmatureSignatureError, "token is not valid yet"),
    (jwt.InvalidAlgorithmError, f"token algorithm is not allowed (only {ALGORITHM})"),
    (jwt.InvalidSignatureError, "token signature is invalid"),
    (jwt.InvalidAudienceError, "token audience is invalid"),
    (jwt.InvalidIssuerError, "token issuer is invalid"),
    (jwt.DecodeError, "token is malformed"),
)


def decode_token(token: str, config: ServiceConfig) -> JsonObject:
    """Check signature (HS256 only), issuer, audience, expiry and required claims."""
    try:
        return jwt.decode(
            token,
            config.secret,
            algorithms=[ALGORITHM],
            audience=config.audience,
            issuer=config.issuer,
            options={"require": list(REQUIRED_CLAIMS)},
        )
    except jwt.MissingRequiredClaimError as exc:
        raise invalid_token(f"token is missing the '{exc.claim}' claim") from exc
    except jwt.InvalidTokenError as exc:
        message = next((m for kind, m in _TOKEN_ERRORS if isinstance(exc, kind)), None)
        raise invalid_token(message or f"token is invalid: {exc}") from exc
