"""The embedded default signs with keys generated for this checkout, never with a key
written in the repository.

With DEBUG on and no SECRET_KEY, settings take SECRET_KEY and a different
JWT_SIGNING_KEY from a local file created on first run (backend/local_secrets.py). Every
value the repository assigns to SECRET_KEY or JWT_SIGNING_KEY, anywhere, is refused at
settings load, DEBUG or not, and a live server refuses tokens signed with any of them.
"""

from __future__ import annotations

import ast
import json
import os
import re
import secrets
import stat
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import httpx
import jwt
import pytest
from django.core.exceptions import ImproperlyConfigured

from backend import local_secrets
from conftest import REPO_ROOT

KEY_SETTINGS = ("SECRET_KEY", "JWT_SIGNING_KEY")

# What a settings load in a fresh process ends up signing with.
PROBE = """
import json, sys, time
from pathlib import Path
gate = Path(sys.argv[1]) if len(sys.argv) > 1 else None
import django
while gate is not None and not gate.exists():
    time.sleep(0.01)
django.setup()
from django.conf import settings
print(json.dumps({"SECRET_KEY": settings.SECRET_KEY,
                  "JWT_SIGNING_KEY": settings.SIMPLE_JWT["SIGNING_KEY"],
                  "DEBUG": settings.DEBUG}))
"""


def embedded_environment(secrets_file: Path, **extra: str) -> dict[str, str]:
    """This process's environment without any key: the embedded default (DEBUG on)."""
    env = {k: v for k, v in os.environ.items() if k not in {*KEY_SETTINGS, "DEBUG", "DJANGO_ENV"}}
    env.update(
        DJANGO_SETTINGS_MODULE="backend.settings",
        LOCAL_SECRETS_FILE=str(secrets_file),
        LOG_TO_FILE="false",
    )
    env.update(extra)
    return env


def probe(secrets_file: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", PROBE, *args],
        cwd=REPO_ROOT,
        env=embedded_environment(secrets_file),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def probed_keys(process: subprocess.Popen) -> dict:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return json.loads(out.splitlines()[-1])


# ----------------------------------------------------------------- the generated file


def test_first_run_writes_two_distinct_keys_mode_0600_and_later_runs_reuse_them(tmp_path):
    secrets_file = tmp_path / "nested" / "keys.json"

    first = probed_keys(probe(secrets_file))
    second = probed_keys(probe(secrets_file))

    assert first["DEBUG"] is True
    stored = json.loads(secrets_file.read_text())
    assert {name: first[name] for name in KEY_SETTINGS} == stored
    assert second == first
    assert stored["SECRET_KEY"] != stored["JWT_SIGNING_KEY"]
    for value in stored.values():
        assert local_secrets.key_problem(value) is None
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    assert sorted(p.name for p in secrets_file.parent.iterdir()) == ["keys.json"]


def test_processes_starting_at_once_agree_on_one_file(tmp_path):
    secrets_file, gate = tmp_path / "keys.json", tmp_path / "gate"
    # Every process has imported Django and waits at the gate; then all load settings.
    processes = [probe(secrets_file, str(gate)) for _ in range(8)]
    gate.touch()

    results = [probed_keys(process) for process in processes]

    assert all(result == results[0] for result in results)
    stored = json.loads(secrets_file.read_text())
    assert stored == {name: results[0][name] for name in KEY_SETTINGS}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gate", "keys.json"]


@pytest.mark.parametrize("hard_links", [True, False], ids=["link", "exclusive-create"])
def test_threads_racing_on_the_first_run_agree(tmp_path, monkeypatch, hard_links):
    if not hard_links:

        def no_link(*args, **kwargs):
            raise PermissionError(1, "Operation not permitted")

        monkeypatch.setattr(os, "link", no_link)
    secrets_file = tmp_path / "keys.json"
    barrier = threading.Barrier(16)
    results: list[dict] = []

    def start() -> None:
        barrier.wait()
        results.append(local_secrets.embedded_keys(secrets_file))

    threads = [threading.Thread(target=start) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
        assert not thread.is_alive()

    assert len(results) == 16
    assert all(result == results[0] for result in results)
    assert json.loads(secrets_file.read_text()) == results[0]
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keys.json"]


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "{}",
        json.dumps({"SECRET_KEY": secrets.token_urlsafe(64)}),
        json.dumps(dict.fromkeys(KEY_SETTINGS, secrets.token_urlsafe(64))),
        json.dumps({name: secrets.token_urlsafe(8) for name in KEY_SETTINGS}),
        json.dumps({"SECRET_KEY": "change-me", "JWT_SIGNING_KEY": secrets.token_urlsafe(64)}),
        "",  # a writer that died before writing anything
    ],
    ids=["garbage", "empty-object", "one-key", "same-keys", "short-keys", "published", "empty"],
)
def test_a_damaged_file_is_refused_and_left_alone(tmp_path, monkeypatch, content):
    monkeypatch.setattr(local_secrets, "_WRITE_GRACE_SECONDS", 0)
    secrets_file = tmp_path / "keys.json"
    secrets_file.write_text(content)

    with pytest.raises(ImproperlyConfigured, match="Delete the file"):
        local_secrets.embedded_keys(secrets_file)
    assert secrets_file.read_text() == content


# ----------------------------------------------------------------- keys in the repository


def repository_text_files() -> list[Path]:
    """Tracked files and new ones not ignored (what a commit would publish)."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    files = []
    for name in sorted(set(filter(None, listing.split("\0")))):
        path = REPO_ROOT / name
        if not path.is_file():
            continue  # deleted in the working tree
        data = path.read_bytes()
        if b"\0" not in data[:8192]:
            files.append(path)
    return files


def _constant(node: ast.AST) -> str | None:
    """The string a constant expression evaluates to ("a" + "b" * 3, f"x"), else None."""
    match node:
        case ast.Constant(value=str() as value):
            return value
        case ast.JoinedStr(values=parts) if all(isinstance(p, ast.Constant) for p in parts):
            return "".join(str(p.value) for p in parts)
        case ast.BinOp(left=left, op=ast.Add(), right=right):
            a, b = _constant(left), _constant(right)
            return a + b if a is not None and b is not None else None
        case ast.BinOp(left=left, op=ast.Mult(), right=ast.Constant(value=int() as times)):
            a = _constant(left)
            return a * times if a is not None else None
    return None


PYTHON_NAMES = {*KEY_SETTINGS, "SIGNING_KEY"}


def python_key_values(source: str) -> list[str]:
    """Constant values Python code gives a signing key: assignments, keyword arguments,
    dict entries, os.environ items, setenv/setdefault("SECRET_KEY", ...) calls."""
    values = []
    for node in ast.walk(ast.parse(source)):
        candidates = []
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                name = (
                    getattr(target, "id", None)
                    or getattr(target, "attr", None)
                    or (isinstance(target, ast.Subscript) and _constant(target.slice))
                )
                if name in PYTHON_NAMES:
                    candidates.append(node.value)
        elif isinstance(node, ast.keyword) and node.arg in PYTHON_NAMES:
            candidates.append(node.value)
        elif isinstance(node, ast.Dict):
            candidates += [
                v for k, v in zip(node.keys, node.values, strict=True) if k is not None
                and _constant(k) in PYTHON_NAMES
            ]  # fmt: skip
        elif isinstance(node, ast.Call) and node.args and _constant(node.args[0]) in PYTHON_NAMES:
            candidates += node.args[1:2] + [k.value for k in node.keywords if k.arg == "default"]
        values += [v for v in map(_constant, candidates) if v]
    return values


# KEY=value, KEY: value, "KEY": "value" in shell, env files, YAML, JSON, Markdown. A
# value with $ or brackets is computed ($(...), ${VAR}, a call), not written down.
TEXT_ASSIGNMENT = re.compile(
    r"""(?<![A-Za-z0-9_])(?:SECRET_KEY|JWT_SIGNING_KEY)["']?[ \t]*[=:][ \t]*"""
    r"""(?P<quote>["']?)(?P<value>[^\s"'`]*)(?P=quote)"""
)


def text_key_values(text: str) -> list[str]:
    return [
        m["value"]
        for m in TEXT_ASSIGNMENT.finditer(text)
        if m["value"] and not re.search(r"[$()\[\]{}<>]", m["value"])
    ]


def repository_key_values() -> dict[str, set[str]]:
    """Every signing-key value written in the repository, with the files saying it."""
    found: dict[str, set[str]] = {}
    for path in repository_text_files():
        text = path.read_text(errors="replace")
        if "SECRET_KEY" not in text and "SIGNING_KEY" not in text:
            continue
        values = python_key_values(text) if path.suffix == ".py" else text_key_values(text)
        for value in values:
            found.setdefault(value, set()).add(str(path.relative_to(REPO_ROOT)))
    return found


def test_the_scan_finds_what_env_example_and_code_would_write():
    assert text_key_values("SECRET_KEY=abc\nexport JWT_SIGNING_KEY='d-e'\n") == ["abc", "d-e"]
    assert text_key_values('SECRET_KEY="ci-$(head -c 48 /dev/urandom)"\nSECRET_KEY=\n') == []
    assert sorted(
        python_key_values(
            'SECRET_KEY = "a"\nf(SECRET_KEY="b" + "c" * 2)\nd = {"JWT_SIGNING_KEY": f"e"}\n'
            'os.environ["SECRET_KEY"] = "g"\nenv.str("SECRET_KEY", default="h")\n'
            "SECRET_KEY = env.str('SECRET_KEY')\nx(SECRET_KEY=secrets.token_urlsafe(64))\n"
        )
    ) == ["a", "bcc", "e", "g", "h"]
    found = repository_key_values()
    for name in KEY_SETTINGS:
        example = re.search(rf"^{name}=(.+)$", (REPO_ROOT / ".env.example").read_text(), re.M)
        assert example is not None
        assert ".env.example" in found[example[1]]


def test_every_key_written_in_the_repository_is_refused_at_settings_load(tmp_path):
    found = repository_key_values()
    assert found, "the scan found nothing: update this test"
    unknown = {v: files for v, files in found.items() if not local_secrets.is_published(v)}
    assert unknown == {}, "add these to backend/local_secrets.PUBLISHED_VALUES"

    # Settings themselves refuse each one, as SECRET_KEY or as JWT_SIGNING_KEY, DEBUG on or
    # off: one process loads the settings module once per case.
    cases = [
        (name, value, debug)
        for value in sorted(set(found) | local_secrets.PUBLISHED_VALUES)
        for name in KEY_SETTINGS
        for debug in ("True", "False")
    ]
    script = """
import json, os, runpy, sys, secrets
from django.core.exceptions import ImproperlyConfigured
verdicts = []
for name, value, debug in json.loads(sys.argv[1]):
    os.environ.update(SECRET_KEY=secrets.token_urlsafe(64), JWT_SIGNING_KEY="", DEBUG=debug)
    os.environ[name] = value
    try:
        runpy.run_path("backend/settings/base.py")
    except ImproperlyConfigured as exc:
        verdicts.append(f"{name} is a value published in this repository" in str(exc))
    else:
        verdicts.append(False)
print(json.dumps(verdicts))
"""
    env = embedded_environment(tmp_path / "keys.json")
    result = subprocess.run(
        [sys.executable, "-c", script, json.dumps(cases)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    verdicts = json.loads(result.stdout.splitlines()[-1])
    assert [case for case, refused in zip(cases, verdicts, strict=True) if not refused] == []


# ----------------------------------------------------------------- a live server


def published_keys() -> list[str]:
    return sorted(set(repository_key_values()) | local_secrets.PUBLISHED_VALUES)


def signed_with(claims: dict, key: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", jwt.InsecureKeyLengthWarning)
        return jwt.encode(claims, key, algorithm="HS256")


@pytest.mark.integration
def test_a_live_embedded_default_refuses_tokens_signed_with_any_published_key(
    daphne_factory, tmp_path
):
    from api.accounts.auth.tokens import issue_local_tokens
    from api.common.client import ClientInfo
    from tests.factories import make_user

    secrets_file = tmp_path / "server-keys.json"
    server = daphne_factory(
        DJANGO_ENV="development",
        DEBUG="true",
        SECRET_KEY="",
        JWT_SIGNING_KEY="",
        LOCAL_SECRETS_FILE=str(secrets_file),
    )
    server_keys = json.loads(secrets_file.read_text())
    user = make_user()
    issued = issue_local_tokens(user=user, client=ClientInfo("127.0.0.1", "pytest"))
    # The claims of a real token (its user, session, expiry): only the key changes.
    claims = jwt.decode(issued["access"], options={"verify_signature": False})

    def me(key: str) -> int:
        token = signed_with(claims, key)
        return httpx.get(
            f"{server.url}/api/auth/me/", headers={"Authorization": f"Bearer {token}"}, timeout=10
        ).status_code

    assert me(server_keys["JWT_SIGNING_KEY"]) == 200
    assert me(server_keys["SECRET_KEY"]) == 401  # JWT_SIGNING_KEY is a different key
    keys = published_keys()
    assert {"change-me", "change-me-too"} <= set(keys)
    refused = {key: me(key) for key in keys}
    assert refused == dict.fromkeys(keys, 401)


@pytest.mark.integration
@pytest.mark.parametrize("name", KEY_SETTINGS)
def test_a_server_given_a_published_key_does_not_start(daphne_factory, tmp_path, name):
    overrides = dict.fromkeys(KEY_SETTINGS, "")
    overrides[name] = "change-me-too"

    with pytest.raises(RuntimeError, match=f"{name} is a value published in this repository"):
        daphne_factory(
            DJANGO_ENV="development",
            DEBUG="true",
            LOCAL_SECRETS_FILE=str(tmp_path / "keys.json"),
            **overrides,
        )
