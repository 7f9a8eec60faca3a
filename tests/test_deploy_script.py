"""scripts/deploy.sh end to end, with a stand-in `docker` (there is no Docker daemon
here) that records every call and answers like Compose would: which tag each service
runs, whether migrations are pending, whether a replica's readiness check passes.

The backup is real: scripts/backup.sh dumps a scratch PostgreSQL database named in the
project's .env.prod, and the restore command printed after a failed deploy names that
very dump."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings

from conftest import REPO_ROOT, require_service
from tests.db import scratch_postgres_database

pytestmark = pytest.mark.integration

PREVIOUS = "0ldc0mm1t000"

STAND_IN = textwrap.dedent(
    """\
    #!{python}
    # Stand-in for the docker CLI: appends each call to $FAKE_DOCKER_LOG and keeps what
    # Compose would know (images, the tag each service runs) in $FAKE_DOCKER_STATE.
    import json, os, sys

    argv = sys.argv[1:]
    state_path = os.environ["FAKE_DOCKER_STATE"]
    with open(state_path) as f:
        state = json.load(f)
    backups = os.environ["FAKE_DOCKER_BACKUPS"]
    with open(os.environ["FAKE_DOCKER_LOG"], "a") as f:
        f.write(json.dumps({{
            "argv": argv,
            "IMAGE_TAG": os.environ.get("IMAGE_TAG"),
            "dumps": sorted(os.listdir(backups)) if os.path.isdir(backups) else [],
        }}) + "\\n")

    def done(code=0, err=""):
        if err:
            print(err, file=sys.stderr)
        with open(state_path, "w") as f:
            json.dump(state, f)
        sys.exit(code)

    def unready(service, tag):
        marks = os.environ.get("FAKE_DOCKER_UNREADY", "").split()
        return tag in marks or f"{{service}}={{tag}}" in marks

    if argv[0] == "compose":
        rest = argv[1:]
        while rest and rest[0] == "-f":
            rest = rest[2:]
        command, args = rest[0], rest[1:]
        if command == "version":
            print("Docker Compose version v2.29.0")
            done()
        tag = os.environ.get("IMAGE_TAG")
        if tag is None:
            done(1, "required variable IMAGE_TAG is missing a value")
        if tag not in state["images"]:
            done(1, f"pull access denied for ptb-overtime:{{tag}}")
        services = [a for a in args if not a.startswith("-")]
        if command == "run":
            line = " ".join(args)
            if os.environ.get("FAKE_DOCKER_FAIL") and os.environ["FAKE_DOCKER_FAIL"] in line:
                done(1, f"CommandError: {{line}} failed")
            if "migrate --check" in line:
                done(1 if state["pending_migrations"] else 0)
            if "migrate" in line:
                state["pending_migrations"] = 0
            done()
        if command == "up":
            for service in services or ["<all>"]:
                state["services"][service] = tag
                state["polls"][service] = 0
            done()
        if command == "exec":
            service = services[0]
            running = state["services"].get(service)
            state["polls"][service] = state["polls"].get(service, 0) + 1
            if running is None:
                done(1, f"service {{service}} is not running")
            if unready(service, running):
                done(1, "not ready: HTTP 503: unapplied migrations: 2")
            if state["polls"][service] <= int(os.environ.get("FAKE_DOCKER_SLOW_START", "0")):
                done(1, "health check failed: Connection refused")
            done()
        done()  # logs, ps...
    if argv[:2] == ["image", "inspect"]:
        done(0 if argv[2].split(":", 1)[1] in state["images"] else 1)
    if argv[0] == "build":
        state["images"].append(argv[argv.index("--tag") + 1].split(":", 1)[1])
        done()
    if argv[0] == "pull":
        state["pulled"] = argv[1]
        done()
    if argv[0] == "tag":
        state["images"].append(argv[2].split(":", 1)[1])
        done()
    done(1, f"stand-in docker does not know {{argv}}")
    """
)


@pytest.fixture
def scratch_database():
    require_service("pg_dump", None if shutil.which("pg_dump") else "not installed")
    require_service(
        "PostgreSQL", None if settings.USING_POSTGRES else "DATABASE_URL is not PostgreSQL"
    )
    with scratch_postgres_database("ptb_deploy") as url:
        yield url


class Project:
    """A checkout of the deployment files in a git repository of its own, so the
    script's files (backups, deployed tags) land in a temporary directory."""

    def __init__(self, root: Path, database_url: str):
        self.root = root
        for path in ("scripts/deploy.sh", "scripts/backup.sh", "scripts/backup-lib.sh",
                     "pyproject.toml", "docker-compose.prod.yml",
                     "docker-compose.staging.yml", "Dockerfile", "Dockerfile.staging",
                     ".gitignore"):  # fmt: skip
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / path, root / path)
        # The uploads the backup must find (an empty media root is an error).
        (root / "media" / "attachments").mkdir(parents=True)
        (root / "media" / "attachments" / "contract.pdf").write_bytes(b"%PDF-1.4 test")
        (root / ".env.prod").write_text(
            f'DJANGO_ENV=production\nDATABASE_URL="{database_url}"\n'
            "# DATABASE_URL=postgres://nobody@127.0.0.1:1/an_old_database\n"
            "SQL_HOST=db.example.com  # ignored: DATABASE_URL wins\n"
        )
        git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com"]
        subprocess.run([*git, "init", "-q"], check=True)
        subprocess.run([*git, "add", "-A"], check=True)
        subprocess.run([*git, "commit", "-q", "-m", "release"], check=True)
        self.commit = subprocess.run(
            [*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
        ).stdout.strip()
        self.tag = self.commit[:12]
        bin_dir = root.parent / "bin"
        bin_dir.mkdir()
        docker = bin_dir / "docker"
        docker.write_text(STAND_IN.format(python=sys.executable))
        docker.chmod(0o755)
        self.bin_dir = bin_dir
        self.log_path = root.parent / "docker-calls.jsonl"
        self.state_path = root.parent / "docker-state.json"
        self.write_state(images=[], services={})

    def write_state(self, *, images, services, pending_migrations=0) -> None:
        self.state_path.write_text(
            json.dumps(
                {
                    "images": images,
                    "services": services,
                    "pending_migrations": pending_migrations,
                    "polls": {},
                }
            )
        )

    def previously_deployed(self, tag: str = PREVIOUS, *, pending_migrations: int = 0) -> None:
        """What runs before this deploy: `tag` on every service, recorded by a deploy."""
        (self.root / ".deployed-tag.prod").write_text(f"{tag} 2026-05-01T10:00:00Z\n")
        services = dict.fromkeys(("web1", "web2", "<all>"), tag)
        self.write_state(images=[tag], services=services, pending_migrations=pending_migrations)

    def state(self) -> dict:
        return json.loads(self.state_path.read_text())

    def deploy(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DATABASE_URL", "SQL_", "IMAGE_", "WEB_SERVICES"))
        }
        environment.update(
            PATH=f"{self.bin_dir}{os.pathsep}{os.environ['PATH']}",
            FAKE_DOCKER_LOG=str(self.log_path),
            FAKE_DOCKER_STATE=str(self.state_path),
            FAKE_DOCKER_BACKUPS=str(self.root / "backups"),
            # Polls without pauses: the stand-in answers at once.
            DEPLOY_READY_INTERVAL="0",
            DEPLOY_READY_ATTEMPTS="3",
        )
        environment.update(env)
        return subprocess.run(
            ["bash", str(self.root / "scripts" / "deploy.sh"), *args],
            cwd=self.root.parent,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def calls(self) -> list[dict]:
        if not self.log_path.exists():
            return []
        return [json.loads(line) for line in self.log_path.read_text().splitlines()]

    def steps(self) -> list[tuple[str, str | None]]:
        """The calls that change or probe something, as ("command words", IMAGE_TAG)."""
        steps = []
        for call in self.calls():
            argv = call["argv"]
            if argv[0] == "compose":
                argv = [a for a in argv[1:] if a != "-f" and not a.endswith(".yml")]
                if argv[0] in {"version", "logs"}:
                    continue
                if argv[0] == "run":
                    argv = ["run", *argv[argv.index("manage.py") + 1 :]]
                elif argv[0] == "exec":
                    argv = ["ready?", argv[2]]
                steps.append((" ".join(argv), call["IMAGE_TAG"]))
            elif argv[0] == "build":
                steps.append(("build", None))
            else:
                steps.append((" ".join(argv[:2]), None))
        return steps

    def dumps(self) -> list[Path]:
        return sorted((self.root / "backups").glob("backup-*/database.dump"))

    def deployed_tags(self) -> list[str]:
        path = self.root / ".deployed-tag.prod"
        return [line.split()[0] for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture
def project(tmp_path, scratch_database) -> Project:
    root = tmp_path / "project"
    root.mkdir()
    return Project(root, scratch_database)


def test_a_deploy_backs_up_builds_checks_migrates_and_replaces_replicas_in_turn(project):
    project.previously_deployed(pending_migrations=2)

    # The backup is of the env file's database, whatever this shell exports.
    result = project.deploy("prod", DATABASE_URL="postgres://nobody@127.0.0.1:1/not_this_one")

    assert result.returncode == 0, result.stdout + result.stderr
    new = project.tag
    assert project.steps() == [
        ("build", None),
        ("run check --deploy --fail-level WARNING", new),
        ("run migrate --check --noinput", new),
        ("run migrate --noinput", new),
        ("run initialize_data", new),
        ("up -d --no-deps --no-build web1", new),
        ("ready? web1", new),
        ("up -d --no-deps --no-build web2", new),
        ("ready? web2", new),
        ("up -d --no-build --remove-orphans", new),
    ]
    build = next(c["argv"] for c in project.calls() if c["argv"][0] == "build")
    assert build[build.index("--build-arg") + 1] == f"GIT_COMMIT={project.commit}"
    assert build[build.index("--tag") + 1] == f"ptb-overtime:{new}"
    assert build[build.index("--file") + 1] == "Dockerfile"
    # The backup was there before anything else happened, and it is a real dump.
    (dump,) = project.dumps()
    assert all(
        dump.parent.name in c["dumps"] for c in project.calls() if c["argv"][-1] != "version"
    )
    assert dump.read_bytes().startswith(b"PGDMP")
    assert project.deployed_tags() == [PREVIOUS, new]
    assert project.state()["services"] == {"web1": new, "web2": new, "<all>": new}
    assert f"to go back: {project.root}/scripts/deploy.sh prod {PREVIOUS}" in result.stdout
    assert "restore.sh" not in result.stdout + result.stderr


def test_a_replica_that_comes_up_slowly_is_waited_for(project):
    project.previously_deployed()

    result = project.deploy("prod", FAKE_DOCKER_SLOW_START="2", DEPLOY_READY_ATTEMPTS="5")

    assert result.returncode == 0, result.stdout + result.stderr
    polls = [step for step, _ in project.steps() if step.startswith("ready?")]
    assert polls == ["ready? web1"] * 3 + ["ready? web2"] * 3
    assert project.deployed_tags() == [PREVIOUS, project.tag]


def test_a_replica_that_never_gets_ready_puts_the_previous_tag_back(project):
    project.previously_deployed(pending_migrations=2)

    result = project.deploy("prod", FAKE_DOCKER_UNREADY=project.tag)

    assert result.returncode != 0
    new = project.tag
    steps = project.steps()
    assert steps[steps.index(("up -d --no-deps --no-build web1", new)) :] == [
        ("up -d --no-deps --no-build web1", new),
        ("ready? web1", new),
        ("ready? web1", new),
        ("ready? web1", new),
        ("up -d --no-deps --no-build web1", PREVIOUS),
        ("ready? web1", PREVIOUS),
    ]
    # web2 never left the previous release; nothing else was touched.
    assert project.state()["services"] == {"web1": PREVIOUS, "web2": PREVIOUS, "<all>": PREVIOUS}
    assert project.deployed_tags() == [PREVIOUS]
    assert "unapplied migrations: 2" in result.stderr
    (dump,) = project.dumps()
    restore = re.search(r"scripts/restore\.sh (\S+)", result.stderr)
    assert restore is not None, result.stderr
    assert (project.root / restore.group(1)).resolve() == dump.parent.resolve()


def test_a_failure_on_the_second_replica_rolls_back_both_failed_one_first(project):
    project.previously_deployed()
    new = project.tag

    result = project.deploy("prod", FAKE_DOCKER_UNREADY=f"web2={new}")

    assert result.returncode != 0
    steps = project.steps()
    rollback = steps[steps.index(("ready? web2", new)) + 3 :]
    assert rollback == [
        ("up -d --no-deps --no-build web2", PREVIOUS),
        ("ready? web2", PREVIOUS),
        ("up -d --no-deps --no-build web1", PREVIOUS),
        ("ready? web1", PREVIOUS),
    ]
    assert project.state()["services"] == {"web1": PREVIOUS, "web2": PREVIOUS, "<all>": PREVIOUS}
    # No migration ran, so there is nothing to restore.
    assert "restore.sh" not in result.stderr
    assert project.deployed_tags() == [PREVIOUS]


def test_a_failed_backup_stops_the_deploy_before_the_image(project, scratch_database):
    project.previously_deployed()
    gone = scratch_database.rsplit("/", 1)[0] + "/ptb_deploy_no_such_database"
    (project.root / ".env.prod").write_text(f"DATABASE_URL={gone}\n")

    result = project.deploy("prod")

    assert result.returncode != 0
    assert project.steps() == []
    assert "no container was changed" in result.stderr
    assert project.deployed_tags() == [PREVIOUS]


def test_a_failing_deploy_check_changes_nothing(project):
    project.previously_deployed(pending_migrations=1)

    result = project.deploy("prod", FAKE_DOCKER_FAIL="check --deploy")

    assert result.returncode != 0
    assert [step for step, _ in project.steps()] == [
        "build",
        "run check --deploy --fail-level WARNING",
    ]
    assert "no container was changed" in result.stderr
    assert "restore.sh" not in result.stderr
    assert project.state()["pending_migrations"] == 1


def test_a_failing_initialize_data_after_migrations_prints_the_restore_command(project):
    project.previously_deployed(pending_migrations=1)

    result = project.deploy("prod", FAKE_DOCKER_FAIL="initialize_data")

    assert result.returncode != 0
    assert not any(step.startswith("up ") for step, _ in project.steps())
    assert "scripts/restore.sh backups/backup-" in result.stderr
    assert project.state()["services"]["web1"] == PREVIOUS


def test_deploying_a_named_tag_uses_that_image_without_building(project):
    project.previously_deployed()
    state = project.state()
    project.write_state(images=[PREVIOUS, "1a2b3c4d5e6f"], services=state["services"])

    result = project.deploy("prod", "1a2b3c4d5e6f")

    assert result.returncode == 0, result.stderr
    assert "build" not in [step for step, _ in project.steps()]
    assert project.deployed_tags() == [PREVIOUS, "1a2b3c4d5e6f"]


def test_a_named_tag_not_on_this_host_is_pulled_from_the_registry(project):
    project.previously_deployed()

    result = project.deploy("prod", "1a2b3c4d5e6f", IMAGE_REGISTRY="registry.example.com/ptb")

    assert result.returncode == 0, result.stderr
    assert project.state()["pulled"] == "registry.example.com/ptb/ptb-overtime:1a2b3c4d5e6f"
    assert project.deployed_tags() == [PREVIOUS, "1a2b3c4d5e6f"]


def test_web_services_name_the_replicas(project):
    result = project.deploy("prod", WEB_SERVICES="web1 web2 web3")

    assert result.returncode == 0, result.stderr
    replaced = [step for step, _ in project.steps() if step.startswith("up -d --no-deps")]
    assert replaced == [f"up -d --no-deps --no-build web{n}" for n in (1, 2, 3)]
    assert project.deployed_tags() == [project.tag]  # a first deploy


def test_a_first_deploy_that_fails_says_there_is_nothing_to_go_back_to(project):
    result = project.deploy("prod", FAKE_DOCKER_UNREADY=project.tag)

    assert result.returncode != 0
    assert "nothing to roll back to" in result.stderr
    assert project.deployed_tags() == []


def test_uncommitted_changes_are_refused_before_anything_happens(project):
    (project.root / "docker-compose.prod.yml").write_text("# edited\n")

    result = project.deploy("prod")

    assert result.returncode == 2
    assert "uncommitted changes" in result.stderr
    assert project.calls() == [] or all(c["argv"][1] == "version" for c in project.calls())
    assert project.dumps() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [(("nowhere",), "usage:"), (("prod", "bad tag!"), "not a valid image tag")],
)
def test_bad_arguments_are_refused(project, args, message):
    result = project.deploy(*args)

    assert result.returncode == 2
    assert message in result.stderr
    assert project.dumps() == []
