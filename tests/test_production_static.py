"""With DEBUG off the app names static files by their hashed names from the manifest
`collectstatic` writes (WhiteNoise's CompressedManifestStaticFilesStorage): without it
every page with a stylesheet is a 500; with it, the API docs and the admin work on a
live Daphne. `make start` therefore runs collectstatic first."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys

import httpx
import pytest

from conftest import REPO_ROOT

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("redis_available")]

PAGES = ("/swagger/", "/redoc/", "/admin/login/")


def production(static_root) -> dict[str, str]:
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "STATIC_ROOT": str(static_root),
    }


def collectstatic(static_root) -> None:
    from tests.live import server_environment

    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=REPO_ROOT,
        env=server_environment(**production(static_root)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr


def get(server, path: str) -> httpx.Response:
    # As nginx forwards it: TLS ended in front, so no redirect to https.
    return httpx.get(f"{server.url}{path}", headers={"X-Forwarded-Proto": "https"}, timeout=30)


def test_with_static_collected_the_docs_and_the_admin_answer(daphne_factory, tmp_path):
    static_root = tmp_path / "staticfiles"
    collectstatic(static_root)
    server = daphne_factory(**production(static_root))

    for page in PAGES:
        response = get(server, page)
        assert response.status_code == 200, (page, server.log()[-3000:])
        assets = re.findall(r'(?:src|href)="(/static/[^"]+\.(?:js|css))"', response.text)
        assert assets, page
        for asset in assets:
            # Hashed names (content-addressed), served by WhiteNoise from STATIC_ROOT.
            assert re.search(r"\.[0-9a-f]{12}\.(?:js|css)$", asset), asset
            assert get(server, asset).status_code == 200, asset


def test_without_collectstatic_the_same_pages_fail(daphne_factory, tmp_path):
    server = daphne_factory(**production(tmp_path / "never-collected"))

    assert [get(server, page).status_code for page in PAGES] == [500, 500, 500]
    assert "Missing staticfiles manifest entry" in server.log()


def test_make_start_collects_static_files_first():
    makefile = (REPO_ROOT / "Makefile").read_text()

    assert re.search(r"^start:[^#\n]*\bcollectstatic\b", makefile, re.M)
