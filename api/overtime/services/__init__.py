"""Writes of the overtime domain: drafts, the request workflow and its regulation
checks, and regulation documents. Callers use `from api.overtime import services`."""

from api.overtime.services.bulk import BULK_ACTIONS, BULK_DECIDE_MAX, overtime_requests_bulk_decide
from api.overtime.services.check import overtime_request_check
from api.overtime.services.drafts import (
    overtime_request_create,
    overtime_request_delete,
    overtime_request_update,
)
from api.overtime.services.guards import ALLOWED_FROM, is_owner
from api.overtime.services.regulations import (
    DEFAULT_REGULATION,
    regulation_check,
    regulation_document_upload,
    regulation_ensure_default,
    regulation_review,
)
from api.overtime.services.times import MAX_REQUEST_LENGTH, BreakInput
from api.overtime.services.workflow import (
    overtime_request_approve,
    overtime_request_cancel,
    overtime_request_reject,
    overtime_request_submit,
)

__all__ = [
    "ALLOWED_FROM",
    "BULK_ACTIONS",
    "BULK_DECIDE_MAX",
    "DEFAULT_REGULATION",
    "MAX_REQUEST_LENGTH",
    "BreakInput",
    "is_owner",
    "overtime_request_approve",
    "overtime_request_cancel",
    "overtime_request_check",
    "overtime_request_create",
    "overtime_request_delete",
    "overtime_request_reject",
    "overtime_request_submit",
    "overtime_request_update",
    "overtime_requests_bulk_decide",
    "regulation_check",
    "regulation_document_upload",
    "regulation_ensure_default",
    "regulation_review",
]
