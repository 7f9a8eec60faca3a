""".env.example is the list of every variable the code reads, and a file bash can
source (`set -a; . ./.env.example`) with the same values django-environ reads from a
copy of it (`.env`). A value is the code's default unless the comment line right above
it starts with `# example`."""

from __future__ import annotations

import ast
import json
import re
import subprocess
from pathlib import Path

import environ
import pytest

from conftest import REPO_ROOT

ENV_EXAMPLE = REPO_ROOT / ".env.example"
ASSIGNMENT = re.compile(r"^(#\s?)?([A-Z][A-Z0-9_]*)=(.*)$")
# The ways backend/ and api/ read a variable: django-environ's env.<cast>("NAME"),
# settings' env_path("NAME", ...), and the standard library.
READS = re.compile(
    r"""(?:\benv(?:\.\w+)?|\benv_path|os\.environ\.get|os\.getenv)\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|os\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]"""
)


def source_files() -> list[Path]:
    return [
        path
        for top in ("backend", "api")
        for path in sorted((REPO_ROOT / top).rglob("*.py"))
        if "tests" not in path.relative_to(REPO_ROOT).parts and "migrations" not in path.parts
    ]


def variables_read() -> dict[str, list[Path]]:
    read: dict[str, list[Path]] = {}
    for path in source_files():
        for match in READS.finditer(path.read_text()):
            read.setdefault(match[1] or match[2], []).append(path.relative_to(REPO_ROOT))
    return read


def documented() -> list[tuple[str, str, bool, bool]]:
    """(name, raw value, commented out, marked as an example) per assignment line."""
    lines = ENV_EXAMPLE.read_text().splitlines()
    found = []
    for number, line in enumerate(lines):
        if match := ASSIGNMENT.match(line):
            above = lines[number - 1] if number else ""
            example = above.lower().startswith("# example")
            found.append((match[2], match[3], bool(match[1]), example))
    return found


def test_every_variable_the_code_reads_is_in_env_example():
    read = variables_read()
    listed = {name for name, *_ in documented()}

    assert read, "the pattern found no reads: update this test"
    missing = {name: [str(p) for p in paths] for name, paths in read.items() if name not in listed}
    assert missing == {}


def test_every_variable_in_env_example_is_read_by_the_code():
    read = variables_read()

    unread = sorted({name for name, *_ in documented()} - set(read))
    assert unread == []


def test_each_variable_is_listed_once():
    names = [name for name, *_ in documented()]

    assert sorted({n for n in names if names.count(n) > 1}) == []


def sourced_by_bash(path: Path) -> subprocess.CompletedProcess:
    script = (
        f"set -euo pipefail; set -a; . {path}; set +a; "
        'python3 -c "import json, os; print(json.dumps(dict(os.environ)))"'
    )
    return subprocess.run(
        ["bash", "-c", script],
        env={"PATH": "/usr/local/bin:/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_bash_can_source_it_and_reads_what_django_environ_reads():
    result = sourced_by_bash(ENV_EXAMPLE)

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    in_bash = json.loads(result.stdout)

    class Probe(environ.Env):
        ENVIRON: dict[str, str] = {}

    Probe.read_env(str(ENV_EXAMPLE))
    set_names = {name for name, _, commented, _ in documented() if not commented}
    assert set(Probe.ENVIRON) == set_names
    assert {name: in_bash.get(name) for name in set_names} == Probe.ENVIRON


def test_a_value_bash_would_split_is_caught(tmp_path):
    """What the test above guards against: an unquoted value with a space."""
    broken = tmp_path / "broken.env"
    broken.write_text("DJANGO_ALLOWED_HOSTS=localhost 127.0.0.1\n")

    assert sourced_by_bash(broken).returncode != 0


# ----------------------------------------------------------------- values are defaults

CASTS = {"str": str, "int": int, "float": float, "bool": bool, "list": list}


def literal(node: ast.expr):
    """The value of a default made only of constants (30 * 60, "UTC", []); else raises."""
    return eval(compile(ast.Expression(node), "<default>", "eval"), {"__builtins__": {}})  # noqa: S307


CONSTANT_NODES = (
    ast.Constant, ast.BinOp, ast.UnaryOp, ast.List, ast.operator, ast.unaryop, ast.expr_context
)  # fmt: skip


def constant_only(node: ast.expr) -> bool:
    return all(isinstance(n, CONSTANT_NODES) for n in ast.walk(node))


def literal_defaults() -> dict[str, list[tuple[str, object]]]:
    """name -> [(cast, default)] for each read whose default is a constant."""
    defaults: dict[str, list[tuple[str, object]]] = {}
    for path in source_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = node.args[0]
            if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
                continue
            function = ast.unparse(node.func)
            if function.startswith("env.") and function[4:] in CASTS:
                cast = function[4:]
            elif function in ("os.environ.get", "os.getenv"):
                cast = "str"
            else:
                continue
            default = next((k.value for k in node.keywords if k.arg == "default"), None)
            if default is None and len(node.args) > 1:
                default = node.args[1]
            if default is not None and constant_only(default):
                defaults.setdefault(name.value, []).append((cast, literal(default)))
    return defaults


def test_values_are_the_code_defaults_unless_marked_as_examples():
    defaults = literal_defaults()
    assert defaults, "no literal defaults found: update this test"

    class Probe(environ.Env):
        ENVIRON: dict[str, str] = {}

    Probe.read_env(str(ENV_EXAMPLE))
    differing = {}
    for name, raw, commented, example in documented():
        if example or name not in defaults:
            continue
        value = Probe.ENVIRON[name] if not commented else raw.strip("'")
        parsed = [
            (default, environ.Env.parse_value(value, CASTS[cast]))
            for cast, default in defaults[name]
        ]
        if not any(default == seen for default, seen in parsed):
            differing[name] = (value, [default for default, _ in parsed])

    # Each of these needs the code's default as its value, or an `# example` line above.
    assert differing == {}


@pytest.mark.parametrize("name", ["SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "SMB_PATH_PREFIX"])
def test_examples_that_differ_from_the_default_say_so(name):
    marked = {n for n, _, _, example in documented() if example}

    assert name in marked
