"""Client for the company's SSO/HR service (the contract: docs/external-api.md).

Settings are read here and nowhere else, so tests point the whole project at the
bundled reference server (scripts/external_api_server.py) by changing
EXTERNAL_API_URL.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from django.conf import settings

logger = logging.getLogger("api.integrations.external_api")


class ExternalAPIError(Exception):
    """Base for everything that can go wrong talking to the external service."""


class ExternalAPIUnavailable(ExternalAPIError):
    """The service could not be reached, timed out, or answered with a 5xx."""


class ExternalAuthRejected(ExternalAPIError):
    """The service reached a verdict: credentials or token are not valid."""


@dataclass(frozen=True, slots=True)
class ExternalLogin:
    access_token: str
    expires_in: int
    user: dict[str, Any]


class ExternalAPIClient:
    def __init__(
        self,
        base_url: str | None = None,
        *,
        timeout: float | None = None,
        api_key: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = (base_url or settings.EXTERNAL_API_URL).rstrip("/")
        self.timeout = timeout if timeout is not None else settings.EXTERNAL_API_TIMEOUT
        self.api_key = api_key if api_key is not None else settings.EXTERNAL_API_KEY
        self._client = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0)),
            transport=transport,
            headers={"Accept": "application/json"},
        )

    def close(self) -> None:
        self._client.close()

    def _request(self, method: str, path: str, **kwargs) -> httpx.Response:
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            # The message names the host, never the credentials or token.
            logger.warning("external API %s %s unreachable: %s", method, path, type(exc).__name__)
            raise ExternalAPIUnavailable(
                f"{self.base_url} did not answer ({type(exc).__name__})"
            ) from exc
        if response.status_code >= 500:
            logger.warning("external API %s %s answered %s", method, path, response.status_code)
            raise ExternalAPIUnavailable(f"{self.base_url} answered {response.status_code}")
        return response

    @staticmethod
    def _json(response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError as exc:
            raise ExternalAPIUnavailable(
                "external service answered with something not JSON"
            ) from exc
        if not isinstance(body, dict):
            raise ExternalAPIUnavailable("external service answered with an unexpected shape")
        return body

    # -- authentication -------------------------------------------------------------

    def login(self, username: str, password: str) -> ExternalLogin:
        response = self._request(
            "POST",
            settings.EXTERNAL_API_LOGIN_PATH,
            json={"username": username, "password": password},
        )
        if response.status_code in (400, 401, 403):
            raise ExternalAuthRejected("invalid credentials")
        if response.status_code != 200:
            raise ExternalAPIUnavailable(f"unexpected status {response.status_code} on login")
        body = self._json(response)
        try:
            return ExternalLogin(
                access_token=body["access_token"],
                expires_in=int(body.get("expires_in", 0)),
                user=dict(body["user"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ExternalAPIUnavailable("login answer misses access_token or user") from exc

    def verify(self, token: str) -> dict[str, Any]:
        """The service's view of a token: its claims and user, or ExternalAuthRejected."""
        response = self._request(
            "POST",
            settings.EXTERNAL_API_VERIFY_PATH,
            headers={"Authorization": f"Bearer {token}"},
        )
        if response.status_code in (400, 401, 403):
            raise ExternalAuthRejected("token rejected by the external service")
        if response.status_code != 200:
            raise ExternalAPIUnavailable(f"unexpected status {response.status_code} on verify")
        body = self._json(response)
        if body.get("active") is not True:
            raise ExternalAuthRejected("token is not active")
        return body

    def revoke(self, token: str) -> None:
        self._request(
            "POST",
            settings.EXTERNAL_API_REVOKE_PATH,
            headers={"Authorization": f"Bearer {token}"},
        )

    # -- HR directory ---------------------------------------------------------------

    def _hr_headers(self) -> dict[str, str]:
        return {"X-API-Key": self.api_key}

    def iter_employees(self, page_size: int = 200) -> Iterator[dict[str, Any]]:
        page: int | None = 1
        while page is not None:
            response = self._request(
                "GET",
                settings.EXTERNAL_API_EMPLOYEES_PATH,
                params={"page": page, "page_size": page_size},
                headers=self._hr_headers(),
            )
            if response.status_code != 200:
                raise ExternalAPIUnavailable(f"employees page {page}: {response.status_code}")
            body = self._json(response)
            yield from body.get("results", [])
            page = body.get("next_page")

    def employee(self, external_id: str) -> dict[str, Any] | None:
        """One person by `external_id` (the SSO token's `sub`), as the login's `user`
        object; None when the service no longer knows them."""
        path = settings.EXTERNAL_API_EMPLOYEE_PATH
        response = self._request(
            "GET",
            path.format(external_id=quote(external_id, safe="")),
            headers=self._hr_headers(),
        )
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise ExternalAPIUnavailable(f"employee lookup: {response.status_code}")
        return self._json(response)

    def list_departments(self) -> list[dict[str, Any]]:
        response = self._request(
            "GET", settings.EXTERNAL_API_DEPARTMENTS_PATH, headers=self._hr_headers()
        )
        if response.status_code != 200:
            raise ExternalAPIUnavailable(f"departments: {response.status_code}")
        return list(self._json(response).get("results", []))


_default_client: ExternalAPIClient | None = None
_default_client_config: tuple | None = None


def get_client() -> ExternalAPIClient:
    """A shared client (connection reuse); rebuilt when its settings change."""
    global _default_client, _default_client_config
    config = (settings.EXTERNAL_API_URL, settings.EXTERNAL_API_TIMEOUT, settings.EXTERNAL_API_KEY)
    if _default_client is None or _default_client_config != config:
        if _default_client is not None:
            _default_client.close()
        _default_client = ExternalAPIClient()
        _default_client_config = config
    return _default_client
