"""Real server processes for integration tests: Daphne on 127.0.0.1 against the same
PostgreSQL test database and Redis the test process uses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx
from django.conf import settings

REPO_ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """The database the test process is really using (pytest-django's test database)."""
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        raise RuntimeError("live-server tests need PostgreSQL (run them with `make test`)")
    credentials = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"])
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{credentials}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


def server_environment(**overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(),
        DB_POOL_MAX_SIZE="4",
        LOG_TO_FILE="false",
        LOG_JSON_CONSOLE="false",
        EXTERNAL_API_URL=settings.EXTERNAL_API_URL,
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


@dataclass
class DaphneProcess:
    port: int
    process: subprocess.Popen | None
    log_path: Path
    extra: dict = field(default_factory=dict)
    command: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def terminate(self, timeout: float = 60) -> int:
        """SIGTERM, as `docker stop` sends it; the exit code once the process is gone."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def restart(self, timeout: float = 60) -> int:
        """SIGTERM, wait for the exit, start the same command again on the same port
        (answering before this returns); the old process's exit code."""
        code = self.terminate(timeout=timeout)
        self._launch()
        return code

    def _launch(self, timeout: float = 60) -> None:
        with self.log_path.open("ab") as log_file:
            self.process = subprocess.Popen(
                self.command,
                cwd=REPO_ROOT,
                env=self.env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        # Generous: on a busy machine Django's start-up alone can take half a minute.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"daphne exited early:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/api/health/live/", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"daphne did not answer on {self.url}:\n{self.log()}")


def start_daphne(
    port: int,
    log_path: Path,
    *,
    behind_proxies: int = 0,
    graceful: bool = False,
    **env_overrides: str,
) -> DaphneProcess:
    """`behind_proxies`: how many proxies stand in front (TRUSTED_PROXY_COUNT), as the
    shipped compose file says for nginx. Daphne's own --proxy-headers is never used: it
    believes the first, client-written X-Forwarded-For address.

    `graceful`: the production command, `python -m backend.serve` (Daphne draining on
    SIGTERM), instead of plain `daphne`."""
    if behind_proxies:
        env_overrides.setdefault("TRUSTED_PROXY_COUNT", str(behind_proxies))
    server = DaphneProcess(
        port=port,
        process=None,
        log_path=log_path,
        command=[
            sys.executable,
            "-m",
            "backend.serve" if graceful else "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "backend.asgi:application",
        ],
        env=server_environment(**env_overrides),
    )
    server._launch()
    return server


@dataclass
class CeleryWorker:
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL to the worker and its pool children: no goodbye, no acknowledgement."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def start_celery_worker(log_path: Path, **env_overrides: str) -> CeleryWorker:
    """A real worker (prefork, one child) on the test database and the Redis broker."""
    log_file = log_path.open("ab")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "backend",
            "worker",
            "--loglevel=INFO",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=REPO_ROOT,
        env=server_environment(CELERY_TASK_ALWAYS_EAGER="false", **env_overrides),
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so kill() reaches the children
    )
    worker = CeleryWorker(process=process, log_path=log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"celery worker exited early:\n{worker.log()}")
        if " ready." in worker.log():
            return worker
        time.sleep(0.2)
    worker.stop()
    raise TimeoutError(f"celery worker did not start:\n{worker.log()}")
