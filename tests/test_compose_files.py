"""What the compose files promise an operator: production's Redis wants a password and
publishes no port, and every app container's URL carries the password; certbot and
nginx share the ACME webroot and the certificate folder, nginx reloads to pick up a
renewal, and the renewal hook copies the certificate where nginx reads it; staging
has its scheduler and no redirect to an HTTPS port where nothing listens. The shell
snippets are run (or at least parsed) by a real sh."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import yaml

from conftest import REPO_ROOT

PROD = yaml.safe_load((REPO_ROOT / "docker-compose.prod.yml").read_text())
STAGING = yaml.safe_load((REPO_ROOT / "docker-compose.staging.yml").read_text())
APP_SERVICES = ("web1", "web2", "celery", "beat")


def unescaped(text: str) -> str:
    """The string a container gets: Compose turns $$ into $."""
    return text.replace("$$", "$")


def shell_script(service: dict) -> str | None:
    for key in ("entrypoint", "command"):
        words = service.get(key)
        if isinstance(words, list) and words[:2] in (["/bin/sh", "-c"], ["sh", "-c"]):
            return unescaped(words[2])
    return None


def test_production_redis_requires_a_password_and_publishes_no_port():
    redis = PROD["services"]["redis"]

    assert "ports" not in redis
    assert redis["environment"]["REDIS_PASSWORD"].startswith("${REDIS_PASSWORD:?")
    assert '--requirepass "$REDIS_PASSWORD"' in shell_script(redis)
    # redis-cli exits 0 on NOAUTH as well: the check must authenticate and want PONG.
    check = unescaped(" ".join(redis["healthcheck"]["test"]))
    assert "REDISCLI_AUTH=" in check
    assert "PONG" in check


def test_every_app_container_reaches_redis_with_the_password():
    for name in APP_SERVICES:
        url = PROD["services"][name]["environment"]["REDIS_URL"]
        assert re.fullmatch(r"redis://:\$\{REDIS_PASSWORD(:\?[^}]*)?\}@redis:6379", url), name


def test_certbot_and_nginx_share_the_webroot_and_the_certificates():
    nginx, certbot = PROD["services"]["nginx"], PROD["services"]["certbot"]
    template = (REPO_ROOT / "nginx" / "templates" / "default.conf.template").read_text()
    webroot = re.search(r"location /\.well-known/acme-challenge/ \{\s*root (\S+);", template)[1]

    def mounts(service: dict) -> dict[str, str]:
        return {v.split(":")[1]: v.split(":")[0] for v in service["volumes"]}

    assert mounts(nginx)[webroot] == mounts(certbot)[webroot]
    cert_dir = os.path.dirname(nginx["environment"]["TLS_CERT"])
    assert mounts(nginx)[cert_dir] == mounts(certbot)["/certs"] == "./nginx/certs"
    assert os.path.basename(nginx["environment"]["TLS_CERT"]) == "fullchain.pem"
    assert os.path.basename(nginx["environment"]["TLS_KEY"]) == "privkey.pem"


def test_nginx_renders_its_templates_and_reloads_periodically():
    script = shell_script(PROD["services"]["nginx"])

    # The image's entrypoint renders templates only when it starts nginx itself.
    assert "exec /docker-entrypoint.sh nginx -g 'daemon off;'" in script
    assert re.search(r"while :; do sleep \d+h; nginx -s reload; done &", script)


def test_every_shell_snippet_parses():
    for compose in (PROD, STAGING):
        for name, service in compose["services"].items():
            if script := shell_script(service):
                result = subprocess.run(["sh", "-n", "-c", script], capture_output=True, text=True)
                assert result.returncode == 0, (name, result.stderr)


def test_the_renewal_hook_copies_the_renewed_certificate_for_nginx(tmp_path):
    script = shell_script(PROD["services"]["certbot"])
    hook = re.search(r"--deploy-hook\s+'([^']+)'", script)[1]
    # A lineage as certbot leaves it: live/<name>/*.pem are links into archive/.
    archive, live, certs = tmp_path / "archive", tmp_path / "live" / "example", tmp_path / "certs"
    for folder in (archive, live, certs):
        folder.mkdir(parents=True)
    for name in ("fullchain", "privkey"):
        (archive / f"{name}1.pem").write_text(f"{name} v1\n")
        (live / f"{name}.pem").symlink_to(archive / f"{name}1.pem")

    result = subprocess.run(
        ["sh", "-c", hook.replace("/certs/", f"{certs}/")],
        env={"PATH": os.environ["PATH"], "RENEWED_LINEAGE": str(live)},
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr
    for name in ("fullchain", "privkey"):
        copied = Path(certs / f"{name}.pem")
        assert not copied.is_symlink()  # nginx's container has no archive/ to follow
        assert copied.read_text() == f"{name} v1\n"


def test_staging_has_a_scheduler_and_no_https_redirect():
    services = STAGING["services"]

    assert services["beat"]["command"][:4] == ["celery", "-A", "backend", "beat"]
    assert services["beat"]["environment"]["CELERY_BEAT_SCHEDULE_FILE"].startswith("/app/logs/")
    for name in ("web", "celery", "beat"):
        environment = services[name]["environment"]
        assert environment["SECURE_SSL_REDIRECT"] == "false", name
        assert environment["DJANGO_ENV"] == "staging", name
    assert services["web"]["ports"] == ["8008:8008"]
