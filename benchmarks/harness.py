"""Shared machinery: a benchmark database, Daphne processes, wrk runs and tables."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ptb_bench"
)
# One random key per run, shared by this process and the servers it starts (settings
# refuse any key written in the repository).
_BENCH_SECRET_KEY = secrets.token_urlsafe(64)


def bench_environment(**overrides: str) -> dict[str, str]:
    """Production-like settings (DEBUG off, no query logging) on the benchmark database."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="benchmarks.settings",
        DJANGO_ENV="production",
        DEBUG="False",
        SECRET_KEY=_BENCH_SECRET_KEY,
        JWT_ACCESS_MINUTES="120",
        DJANGO_ALLOWED_HOSTS="127.0.0.1 localhost",
        SECURE_SSL_REDIRECT="False",
        DATABASE_URL=BENCH_DATABASE_URL,
        LOG_LEVEL="WARNING",
        LOG_TO_FILE="false",
        CELERY_TASK_ALWAYS_EAGER="true",
    )
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379")
    env.setdefault("REDIS_DB_OFFSET", "10")
    env.update(overrides)
    return env


def setup_django(**overrides: str) -> None:
    os.environ.update(bench_environment(**overrides))
    sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()


def ensure_database() -> None:
    import psycopg

    name = BENCH_DATABASE_URL.rsplit("/", 1)[1]
    admin_url = BENCH_DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=REPO_ROOT,
        env=bench_environment(),
        check=True,
    )


def server_log(name: str):
    """Where a server's own log goes: BENCH_SERVER_LOGS=<dir> keeps it in
    <dir>/<name>.log (to read what it warned of during a run); else nowhere."""
    folder = os.environ.get("BENCH_SERVER_LOGS")
    if not folder:
        return subprocess.DEVNULL
    Path(folder).mkdir(parents=True, exist_ok=True)
    return open(Path(folder) / f"{name}.log", "ab")  # the child process writes to it


@dataclass
class Server:
    url: str
    process: subprocess.Popen

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_daphne(port: int, cpu: int | None = None, **env: str) -> Server:
    """Daphne on 127.0.0.1:`port`, pinned to core `cpu` when given (and possible)."""
    pin = []
    if cpu is not None and shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        pin = ["taskset", "-c", str(cpu)]
    process = subprocess.Popen(
        [
            *pin,
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "backend.asgi:application",
        ],
        cwd=REPO_ROOT,
        env=bench_environment(**env),
        stdout=subprocess.DEVNULL,
        stderr=server_log(f"daphne-{port}"),
    )
    server = Server(url=f"http://127.0.0.1:{port}", process=process)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{server.url}/api/health/live/", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError("daphne did not start")


@dataclass
class LoadResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    value, unit = match.groups()
    return float(value) * _UNITS[unit]


def wrk(url: str, *, seconds: int, connections: int, headers: dict[str, str]) -> LoadResult:
    """One wrk run from its own process (on the other core when taskset is present)."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed for this benchmark: apt-get install wrk")
    # wrk gives up on a request after 2 s by default and leaves it out of the
    # latencies: under 32 connections the naive reference's p99 came near that, and
    # its timeouts were counted as errors and its slowest requests dropped.
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        command = ["taskset", "-c", "1", *command]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Requests/sec" not in output or "50%" not in output:
        raise RuntimeError(f"wrk gave no figures:\n{output}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)\s*$", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)\s*$", output, re.M).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match.group(1))
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(int(n) for n in match.groups())
    return LoadResult(rps, p50, p99, errors)


_OPERATORS = {
    ">=": lambda value, bound: value >= bound,
    "<=": lambda value, bound: value <= bound,
    "==": lambda value, bound: value == bound,
}
# Every target a benchmark checked in this run, in order; `python -m benchmarks`
# prints them again together at the end.
TARGETS: list[str] = []


def target(name: str, value: float, op: str, bound: float, *, digits: int = 2) -> bool:
    """Print one verdict line, `target <name> <value> <op> <bound>: meets|misses`,
    the one format a reader and a script both read (and remember it for the summary)."""
    meets = _OPERATORS[op](value, bound)
    line = (
        f"target {name} {value:.{digits}f} {op} {bound:.{digits}f}: "
        f"{'meets' if meets else 'misses'}"
    )
    TARGETS.append(line)
    print(line, flush=True)
    return meets


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * width for width in widths))
    for row in rows:
        lines.append(
            "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        )
    return "\n".join(lines)
