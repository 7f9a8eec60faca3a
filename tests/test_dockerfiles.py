"""The staging image cannot drift from production's: it is Dockerfile's runtime stage
plus ENV lines that each change a value, nothing else, and Dockerfile.staging (staging
on top of an already built production image) sets exactly the same. A plain
`docker build .` still makes the production image."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from conftest import REPO_ROOT


@dataclass
class Stage:
    name: str | None
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for keyword, arguments in self.instructions:
            if keyword == "ENV":
                values.update(pair.split("=", 1) for pair in shlex.split(arguments))
        return values


def instructions(path: Path) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) in order: comments dropped, continuation lines joined."""
    found, pending = [], ""
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):  # Docker skips these inside too
            continue
        part = stripped.removesuffix("\\").strip()
        pending = f"{pending} {part}".strip()
        if stripped.endswith("\\"):
            continue
        keyword, _, arguments = pending.partition(" ")
        found.append((keyword.upper(), arguments.strip()))
        pending = ""
    return found


def stages(path: Path) -> tuple[list[tuple[str, str]], list[Stage]]:
    """The instructions before the first FROM (global ARGs) and each stage."""
    preamble: list[tuple[str, str]] = []
    built: list[Stage] = []
    for keyword, arguments in instructions(path):
        if keyword == "FROM":
            words = arguments.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            built.append(Stage(name=name, base=words[0]))
        elif built:
            built[-1].instructions.append((keyword, arguments))
        else:
            preamble.append((keyword, arguments))
    return preamble, built


def by_name(built: list[Stage]) -> dict[str, Stage]:
    return {stage.name: stage for stage in built if stage.name}


def test_a_plain_build_makes_the_production_image():
    _, built = stages(REPO_ROOT / "Dockerfile")

    last = built[-1]
    assert (last.name, last.base, last.instructions) == ("production", "runtime", [])


def test_the_staging_stage_only_changes_environment_values():
    named = by_name(stages(REPO_ROOT / "Dockerfile")[1])
    runtime, staging = named["runtime"], named["staging"]

    assert staging.base == "runtime"
    assert {keyword for keyword, _ in staging.instructions} == {"ENV"}
    changed = staging.env()
    assert changed, "the staging stage sets nothing"
    same = {key: value for key, value in changed.items() if runtime.env().get(key) == value}
    assert same == {}, "these repeat production's value"
    assert changed["DJANGO_ENV"] == "staging"


def test_dockerfile_staging_sets_what_the_staging_stage_sets_on_a_production_image():
    preamble, built = stages(REPO_ROOT / "Dockerfile.staging")
    staging = by_name(stages(REPO_ROOT / "Dockerfile")[1])["staging"]

    assert len(built) == 1
    (image,) = built
    assert image.base == "${BASE_IMAGE}"
    assert ("ARG", "BASE_IMAGE=ptb-overtime:latest") in preamble
    assert {keyword for keyword, _ in image.instructions} == {"ENV"}
    assert image.env() == staging.env()


def test_the_staging_compose_file_builds_the_staging_stage():
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.staging.yml").read_text())

    build = compose["services"]["web"]["build"]
    assert (build["dockerfile"], build["target"]) == ("Dockerfile", "staging")
