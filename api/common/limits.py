"""Bounds on what a query may ask for, so an oversized one is a 400 naming the
parameter instead of a database error (a 5,000-term search makes PostgreSQL refuse
the expression tree; a date in year 9999 overflows the arithmetic on periods).

- the query string: at most QUERY_STRING_MAX_CHARS characters;
- `search`: at most SEARCH_MAX_TERMS words and SEARCH_MAX_CHARS characters;
- every date or datetime a filter or an export takes: within DATE_MIN..DATE_MAX.
"""

from __future__ import annotations

from datetime import date, datetime

from rest_framework.exceptions import ValidationError
from rest_framework.filters import SearchFilter

QUERY_STRING_MAX_CHARS = 4096
SEARCH_MAX_TERMS = 10
SEARCH_MAX_CHARS = 200
DATE_MIN = date(2000, 1, 1)
DATE_MAX = date(2100, 12, 31)


def date_problem(value) -> str | None:
    """Why a date (or datetime) is outside the range the API accepts, or None."""
    day = value.date() if isinstance(value, datetime) else value
    if isinstance(day, date) and not DATE_MIN <= day <= DATE_MAX:
        return f"Dates must lie between {DATE_MIN.isoformat()} and {DATE_MAX.isoformat()}."
    return None


def require_dates_in_range(values: dict) -> None:
    """ValidationError naming each field whose date lies outside the range."""
    problems = {}
    for name, value in values.items():
        candidates = [value.start, value.stop] if isinstance(value, slice) else [value]
        for candidate in candidates:
            if candidate is not None and (problem := date_problem(candidate)):
                problems[name] = [problem]
    if problems:
        raise ValidationError(problems)


class BoundedSearchFilter(SearchFilter):
    """DRF's search, refusing more terms or characters than a person types."""

    def get_search_terms(self, request):
        raw = request.query_params.get(self.search_param, "")
        terms = super().get_search_terms(request)
        if len(raw) > SEARCH_MAX_CHARS or len(terms) > SEARCH_MAX_TERMS:
            raise ValidationError(
                {
                    self.search_param: [
                        f"At most {SEARCH_MAX_TERMS} words and {SEARCH_MAX_CHARS} characters."
                    ]
                }
            )
        return terms

    def get_schema_operation_parameters(self, view):
        # A list without text search refuses `search` (api.common.filters): not documented.
        if not getattr(view, "search_fields", None):
            return []
        return super().get_schema_operation_parameters(view)
