"""`make audit` (scripts/audit.py): real pip-audit runs against a vulnerability service
on 127.0.0.1 that speaks OSV's query API, so each outcome is seen the way CI sees it:
a known vulnerability fails, a clean lock passes, and a service that cannot answer is
reported as NOT checked, never as free of vulnerabilities."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import REPO_ROOT, free_port
from scripts.audit import locked_packages

SUCCESS = "no known vulnerabilities"


class OSV(BaseHTTPRequestHandler):
    """Answers POST /v1/query; `vulnerable` maps package name -> fixed version."""

    vulnerable: dict[str, str] = {}
    status = 200

    def do_POST(self) -> None:
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        name = query["package"]["name"]
        body: dict = {}
        if name in self.vulnerable:
            body = {
                "vulns": [
                    {
                        "id": f"GHSA-test-{name}",
                        "summary": "a test vulnerability",
                        "affected": [
                            {
                                "package": {"name": name, "ecosystem": "PyPI"},
                                "ranges": [
                                    {
                                        "type": "ECOSYSTEM",
                                        "events": [
                                            {"introduced": "0"},
                                            {"fixed": self.vulnerable[name]},
                                        ],
                                    }
                                ],
                            }
                        ],
                    }
                ]
            }
        data = json.dumps(body).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def osv_service():
    def start(*, vulnerable: dict[str, str] | None = None, status: int = 200) -> str:
        handler = type("Handler", (OSV,), {"vulnerable": vulnerable or {}, "status": status})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/v1/query"

    servers: list[ThreadingHTTPServer] = []
    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def lock(tmp_path) -> Path:
    """A hash-pinned lock in the shape `make lock` writes."""
    path = tmp_path / "requirements.txt"
    path.write_text(
        "django==4.0 \\\n    --hash=sha256:" + "a" * 64 + "\n    # via pyproject.toml\n"
        "six==1.17.0 \\\n    --hash=sha256:" + "b" * 64 + "\n"
    )
    return path


def audit(lock: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "scripts/audit.py", "--service", "osv", "--timeout", "5",
         "--cache-dir", str(tmp_path / "cache"), *args, str(lock)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip


def test_a_known_vulnerability_fails_and_names_the_fix(osv_service, lock, tmp_path):
    url = osv_service(vulnerable={"django": "4.0.1"})

    result = audit(lock, tmp_path, "--osv-url", url)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "VULNERABLE django 4.0" in result.stdout
    assert "GHSA-test-django" in result.stdout
    assert "fixed in: 4.0.1" in result.stdout
    assert SUCCESS not in result.stdout


def test_a_clean_lock_says_how_many_packages_were_checked(osv_service, lock, tmp_path):
    result = audit(lock, tmp_path, "--osv-url", osv_service())

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{SUCCESS} in the 2 locked packages" in result.stdout


@pytest.mark.parametrize("service", ["unreachable", "failing"])
def test_a_service_that_cannot_answer_is_never_reported_as_success(
    osv_service, lock, tmp_path, service
):
    url = (
        f"http://127.0.0.1:{free_port()}/v1/query"  # nothing listens there
        if service == "unreachable"
        else osv_service(status=503)
    )

    strict = audit(lock, tmp_path, "--osv-url", url)
    warned = audit(lock, tmp_path, "--osv-url", url, "--if-unaudited", "warn")

    assert strict.returncode == 3, strict.stdout + strict.stderr
    assert warned.returncode == 0, warned.stdout + warned.stderr
    for result in (strict, warned):
        assert "AUDIT INCOMPLETE: 2 of 2 locked packages were NOT checked" in result.stdout
        assert "django==4.0, six==1.17.0" in result.stdout
        assert "NOT DONE" in result.stdout
        assert SUCCESS not in result.stdout.lower()


def test_every_pin_of_the_real_locks_is_audited():
    for name in ("requirements.txt", "requirements-dev.txt"):
        text = (REPO_ROOT / name).read_text()
        pins = [line for line in text.splitlines() if "==" in line and not line.startswith(" ")]

        assert len(locked_packages([REPO_ROOT / name])) == len(pins), name
