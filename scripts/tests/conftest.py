"""Fixtures of the scripts' tests: the reference SSO/HR server, started per test."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from scripts.external_api_server import ExternalApiServer
from scripts.tests.support import client_for, running_server


@pytest.fixture
def server() -> Iterator[ExternalApiServer]:
    with running_server() as server:
        yield server


@pytest.fixture
def client(server: ExternalApiServer) -> Iterator[httpx.Client]:
    with client_for(server) as client:
        yield client
