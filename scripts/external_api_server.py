"""Reference implementation of the company's SSO + HR service (contract: docs/external-api.md).

The backend never talks to a mock object: tests, ``make external-api`` and the embedded
default all run this small real HTTP server, so the wire format (status codes, headers,
JSON bodies, JWT claims) is exercised exactly as with the production service. The code
lives in ``scripts/external_api/``; this file is its entry point.

Run it::

    python scripts/external_api_server.py --host 127.0.0.1 --port 9001

or start it inside a test::

    server = make_server("127.0.0.1", 0, directory=build_directory(seed=1, employees=10))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    ...
    server.shutdown()
    server.server_close()

Only the standard library and PyJWT are used; Django is deliberately not imported so the
server starts in milliseconds and from a bare checkout.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jwt

# Running as `python scripts/external_api_server.py` puts scripts/ on sys.path, not the
# repository root; add the root so `scripts.external_api` and `generate_data` import
# either way.
REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from generate_data.directory import build_directory  # noqa: E402
from scripts.external_api import endpoints  # noqa: E402
from scripts.external_api.directory import load_directory  # noqa: E402
from scripts.external_api.handler import ExternalApiServer, RequestHandler  # noqa: E402
from scripts.external_api.state import ServiceConfig, ServiceState  # noqa: E402

__all__ = ["ExternalApiServer", "RequestHandler", "endpoints", "main", "make_server"]

# Defaults of the reference server only (demo values, never production secrets). The
# secret is >= 32 bytes because RFC 7518 requires that for HS256 and PyJWT warns below it
# on every encode/decode, which would pollute the warnings of every test using the server.
DEFAULT_SECRET = "reference-sso-secret-for-local-development-only"  # noqa: S105 - demo default
DEFAULT_API_KEY = "dev-hr-api-key"
DEFAULT_ISSUER = "ptb-external-sso"
DEFAULT_AUDIENCE = "ptb-overtime"
DEFAULT_TOKEN_TTL = 3600


def make_server(
    host: str,
    port: int,
    *,
    directory: Mapping[str, Any] | None = None,
    secret: str | None = None,
    token_ttl: int = DEFAULT_TOKEN_TTL,
    api_key: str | None = None,
    issuer: str | None = None,
    audience: str | None = None,
    seed: int = 42,
    employees: int = 60,
    verbose: bool = False,
) -> ExternalApiServer:
    """Bind (port 0 picks a free port) and return the server; call ``serve_forever()``.

    Unset options fall back to ``EXTERNAL_SSO_SECRET``, ``EXTERNAL_API_KEY``,
    ``EXTERNAL_JWT_ISSUER`` and ``EXTERNAL_JWT_AUDIENCE``, then to the reference defaults.
    ``directory`` defaults to ``build_directory(seed, employees)``. A ``token_ttl`` of zero
    or less issues already-expired tokens, which tests can use on purpose.
    """
    config = ServiceConfig(
        secret=secret or os.environ.get("EXTERNAL_SSO_SECRET") or DEFAULT_SECRET,
        api_key=api_key or os.environ.get("EXTERNAL_API_KEY") or DEFAULT_API_KEY,
        issuer=issuer or os.environ.get("EXTERNAL_JWT_ISSUER") or DEFAULT_ISSUER,
        audience=audience or os.environ.get("EXTERNAL_JWT_AUDIENCE") or DEFAULT_AUDIENCE,
        token_ttl=token_ttl,
        verbose=verbose,
    )
    data = directory if directory is not None else build_directory(seed, employees)
    state = ServiceState(snapshot=load_directory(data))
    return ExternalApiServer((host, port), config, state)


def read_directory_file(path: Path) -> Any:
    """The ``--data`` file; errors name the file, since the JSON parser's do not."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Reference SSO + HR service for PTB Overtime.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9001)
    parser.add_argument("--data", type=Path, help="directory JSON (default: generated)")
    parser.add_argument("--secret", help="HS256 signing secret (env EXTERNAL_SSO_SECRET)")
    parser.add_argument("--token-ttl", type=int, default=DEFAULT_TOKEN_TTL, help="seconds")
    parser.add_argument("--api-key", help="HR API key (env EXTERNAL_API_KEY)")
    parser.add_argument("--issuer", help="JWT iss (env EXTERNAL_JWT_ISSUER)")
    parser.add_argument("--audience", help="JWT aud (env EXTERNAL_JWT_AUDIENCE)")
    parser.add_argument("--seed", type=int, default=42, help="seed of the generated directory")
    parser.add_argument("--employees", type=int, default=60, help="generated head count")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        directory = read_directory_file(args.data) if args.data else None
        server = make_server(
            args.host,
            args.port,
            directory=directory,
            secret=args.secret,
            token_ttl=args.token_ttl,
            api_key=args.api_key,
            issuer=args.issuer,
            audience=args.audience,
            seed=args.seed,
            employees=args.employees,
            verbose=args.verbose,
        )
    except (OSError, ValueError) as exc:
        print(f"external_api_server: {exc}", file=sys.stderr)
        return 2
    if len(server.config.secret.encode()) < 32:
        # RFC 7518 wants >= 32 bytes for HS256; PyJWT would warn on every request, so say
        # it once here. Acceptable for the local reference server, never for production.
        print("external_api_server: signing secret is shorter than 32 bytes", file=sys.stderr)
        warnings.filterwarnings("ignore", category=jwt.InsecureKeyLengthWarning)
    host, port = server.server_address[:2]
    snapshot = server.state.current()
    print(
        f"reference SSO/HR service on http://{host}:{port} "
        f"({len(snapshot.employees)} employees, {len(snapshot.departments)} departments)",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
