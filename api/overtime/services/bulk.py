"""Deciding many overtime requests in one call: each by the same service a single
approve or reject uses, in its own transaction, so one refusal leaves the others
decided and every decision is audited and notified as it would be alone."""

from __future__ import annotations

from collections.abc import Iterable

from api.accounts.models import User
from api.common.exceptions import DoesNotExist, DomainError, InvalidInput
from api.overtime import selectors
from api.overtime.services.workflow import overtime_request_approve, overtime_request_reject

BULK_DECIDE_MAX = 200
BULK_ACTIONS = ("approve", "reject")


def _decide_one(overtime_request, by: User, action: str, note: str):
    if action == "approve":
        return overtime_request_approve(overtime_request=overtime_request, by=by, note=note)
    return overtime_request_reject(overtime_request=overtime_request, by=by, reason=note)


def _error(error: DomainError) -> dict:
    return {"status": error.status_code, "code": error.code, "message": error.detail}


def overtime_requests_bulk_decide(
    *, by: User, ids: Iterable[int], action: str, note: str = ""
) -> list[dict]:
    """One outcome per distinct id, in the order given: `{"id", "status"}` when
    decided, `{"id", "error": {"status", "code", "message"}}` with what a single call
    would have answered (404 for a request the user cannot see)."""
    if action not in BULK_ACTIONS:
        raise InvalidInput({"action": [f"Choose one of {', '.join(BULK_ACTIONS)}."]})
    ids = list(dict.fromkeys(ids))
    if len(ids) > BULK_DECIDE_MAX:
        raise InvalidInput({"ids": [f"At most {BULK_DECIDE_MAX} requests at a time."]})
    if action == "reject" and not note.strip():
        raise InvalidInput({"note": ["Say why the requests are rejected."]})
    visible = {
        row.pk: row
        for row in selectors.overtime_requests_scope(user=by)
        .filter(pk__in=ids)
        .select_related("employee")
    }
    outcomes = []
    for pk in ids:
        try:
            if pk not in visible:
                raise DoesNotExist()
            decided = _decide_one(visible[pk], by, action, note)
        except DomainError as error:
            outcomes.append({"id": pk, "error": _error(error)})
        else:
            outcomes.append({"id": pk, "status": decided.status})
    return outcomes
