"""One JSON shape for every error, whoever raised it.

    {"error": {"status": 400, "code": "validation_error", "message": "...",
               "fields": {"end_at": ["End must be after start."]},
               "request_id": "...", ...extra}}

`fields` appears for validation errors, keyed by field (nested ones dotted:
`breaks.0.start_at`); `extra` carries what the client needs to recover, such as the
current state of a record after a 409.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django_guid import get_guid
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

logger = logging.getLogger("api.errors")


class DomainError(Exception):
    """Base of the errors services raise, in the domain's words, not HTTP's.

    Services, workers and consumers raise these; `api_exception_handler` is the one
    place that turns them into HTTP answers (status, code, message, `fields`, extra).
    `extra` goes into the error body (e.g. the current state of a record after a 409).
    """

    status_code = 400
    default_code = "invalid"
    default_detail = "The request cannot be carried out."

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        field: str | None = None,
        **extra: Any,
    ):
        self.detail = str(detail) if detail is not None else self.default_detail
        self.code = code or self.default_code
        self.field = field
        self.extra = extra
        super().__init__(self.detail)


class InvalidInput(DomainError):
    """Input a service refuses, field by field: answered like a serializer's 400.

    `errors` is `{"field": "message" | ["message", ...]}` or a plain message (then it
    is a `non_field_errors` entry).
    """

    default_code = "invalid"
    default_detail = "Invalid input."

    def __init__(self, errors: dict[str, Any] | list | str, *, code: str | None = None):
        self.errors = errors
        message = errors if isinstance(errors, str) else self.default_detail
        super().__init__(message, code=code)


class NotAllowed(DomainError):
    """The actor may not do this (403)."""

    status_code = 403
    default_code = "permission_denied"
    default_detail = "You do not have permission to perform this action."


class DoesNotExist(DomainError):
    """What the action names is not there, or not visible to the actor (404)."""

    status_code = 404
    default_code = "not_found"
    default_detail = "Not found."


class Conflict(DomainError):
    status_code = 409
    default_code = "conflict"
    default_detail = "The request conflicts with the current state of the resource."


class InvalidTransition(Conflict):
    default_code = "invalid_transition"


class RuleViolation(DomainError):
    """A business rule (e.g. a regulation limit) refuses otherwise well-formed input."""

    default_code = "rule_violation"

    def __init__(self, detail: str, *, field: str | None = None, **extra: Any):
        super().__init__(detail, field=field, **extra)


class PayloadTooLarge(DomainError):
    status_code = 413
    default_code = "payload_too_large"
    default_detail = "The request body is too large."


class ServiceUnavailable(DomainError):
    status_code = 503
    default_code = "service_unavailable"
    default_detail = "A service this request depends on is unavailable. Try again shortly."


class _DomainAnswer(exceptions.APIException):
    """A DomainError on its way through DRF's handler (status, code, extra kept)."""

    def __init__(self, error: DomainError):
        self.status_code = error.status_code
        self.default_code = error.code
        self.default_detail = error.default_detail
        super().__init__(detail=error.detail, code=error.code)
        self.extra = error.extra
        self.field = error.field


def _as_api_exception(error: DomainError) -> exceptions.APIException:
    if isinstance(error, InvalidInput):
        return exceptions.ValidationError(error.errors, code=error.code)
    if isinstance(error, NotAllowed) and not error.extra and not error.field:
        return exceptions.PermissionDenied(error.detail, code=error.code)
    if isinstance(error, DoesNotExist) and not error.extra and not error.field:
        return exceptions.NotFound(error.detail, code=error.code)
    return _DomainAnswer(error)


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"a.0.b": ["message", ...]}."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        out = {}
        for index, item in enumerate(detail):
            out.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return {prefix or "non_field_errors": [str(detail)]}


def _first_code(detail: Any) -> str | None:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_code(value)
    if isinstance(detail, list) and detail:
        return _first_code(detail[0])
    return getattr(detail, "code", None)


def error_body(
    status_code: int,
    code: str,
    message: str,
    *,
    fields: dict[str, list[str]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status_code, "code": code, "message": message}
    if fields:
        body["fields"] = fields
    body.update(extra)
    body["request_id"] = get_guid()
    return {"error": body}


def _translate(exc: Exception) -> Exception:
    """Domain, Django and database errors that reach a view, as the API errors they mean."""
    if isinstance(exc, DomainError):
        return _as_api_exception(exc)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, ProtectedError | RestrictedError):
        blocking = {obj._meta.verbose_name_plural for obj in list(exc.args[1])[:20]}
        return _as_api_exception(
            Conflict(
                "This record is still referenced and cannot be deleted.",
                code="protected",
                referenced_by=sorted(str(name) for name in blocking),
            )
        )
    if isinstance(exc, RequestDataTooBig):
        return _as_api_exception(PayloadTooLarge())
    if isinstance(exc, SuspiciousOperation):
        # Too many form fields or files, a file name escaping its folder...: the
        # request is refused as it stands, never answered with Django's HTML 400.
        logger.warning("suspicious request refused with 400: %s", exc)
        return exceptions.ParseError("The request was refused as malformed.", code="bad_request")
    if isinstance(exc, DataError):
        # A value the database cannot store (too long, out of range, invalid text)
        # that no serializer caught: the client's input, so a 400, logged for a fix.
        logger.warning("database refused a value, answered 400: %s", exc)
        return _as_api_exception(
            DomainError("A value is too long, out of range or not storable.", code="invalid_value")
        )
    if isinstance(exc, IntegrityError):
        # Serializers validate first; reaching here means a race or a rule only the
        # database knows (a unique or check constraint). Name it, never a 500.
        logger.info("integrity error turned into 409: %s", exc)
        return _as_api_exception(
            Conflict(
                "The change conflicts with existing data (a uniqueness or consistency rule).",
                code="integrity_error",
            )
        )
    return exc


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    # Imported here: authentication classes import this module while DRF's own
    # views module (which this handler extends) is still initialising.
    from rest_framework.views import exception_handler as drf_exception_handler

    exc = _translate(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # unexpected: Django's handler500 answers (JSON, see api.common.views)

    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        non_field = fields.get("non_field_errors")
        message = non_field[0] if non_field and len(fields) == 1 else "Invalid input."
        response.data = error_body(
            response.status_code,
            "validation_error",
            message,
            fields=fields,
        )
        return response

    if isinstance(exc, exceptions.APIException):
        detail = exc.detail
        code = _first_code(detail) or exc.default_code
        message = str(detail) if not isinstance(detail, dict | list) else exc.default_detail
        extra = dict(getattr(exc, "extra", {}) or {})
        fields = None
        field = getattr(exc, "field", None)
        if field:
            fields = {field: [message]}
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            extra["retry_after_seconds"] = int(exc.wait)
        response.data = error_body(response.status_code, str(code), message, fields=fields, **extra)
    return response
