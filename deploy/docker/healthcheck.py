"""Container health check: GET /api/health/ready/ on the local Daphne (exit 0 when 200).

Readiness, not liveness: a container whose database is unreachable or behind the code
(unapplied migrations) must not count as healthy, or nginx and a deploy would send
people to it. `healthcheck.py /api/health/live/` asks the cheap probe instead.

Plain standard library, so the check costs no extra package in the image."""

import json
import os
import sys
import urllib.error
import urllib.request

path = sys.argv[1] if len(sys.argv) > 1 else "/api/health/ready/"
url = f"http://127.0.0.1:{os.environ.get('APP_PORT', '8008')}{path}"
try:
    with urllib.request.urlopen(url, timeout=4) as response:
        sys.exit(0 if response.status == 200 else 1)
except urllib.error.HTTPError as exc:
    # Readiness says why in its body ("unapplied migrations: 3"): show it in
    # `docker inspect` and in the deploy's output.
    try:
        reason = json.loads(exc.read()).get("detail") or exc.reason
    except (ValueError, AttributeError, OSError):
        reason = exc.reason
    print(f"not ready: HTTP {exc.code}: {reason}", file=sys.stderr)
    sys.exit(1)
except Exception as exc:  # any other failure means unhealthy
    print(f"health check failed: {exc}", file=sys.stderr)
    sys.exit(1)
