"""Container health check: GET /api/health/ on the local Daphne (exit 0 when 200).

Plain standard library, so the check costs no extra package in the image."""

import os
import sys
import urllib.request

url = f"http://127.0.0.1:{os.environ.get('APP_PORT', '8008')}/api/health/"
try:
    with urllib.request.urlopen(url, timeout=4) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception as exc:  # any failure means unhealthy
    print(f"health check failed: {exc}", file=sys.stderr)
    sys.exit(1)
