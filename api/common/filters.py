"""Query parameters: what each endpoint understands, and django-filter run only when needed.

Every parameter the server does not understand is a 400 naming it (`refuse_unknown`),
never silently ignored. A list understands the generic parameters (`page`,
`page_size`, `search` where it has text search, `ordering`, `format`) and its
FilterSet's filters; `ordering` takes only the list's ordering fields. Any other
endpoint (a single record, an action) understands only `format`. A FilterSet may
declare `renamed = {"old_name": "new_name"}`: the old name answers 400 with the new
one, so clients of a renamed filter learn what to send instead.

Ranges are `<field>_from` / `<field>_to` (from inclusive; to inclusive for dates,
exclusive for timestamps).

django-filter is skipped for requests that name none of the view's filters.
Instantiating a FilterSet deep-copies its declared filters and builds a form: ~0.8 ms
per request on the overtime list, for nothing when the client filters by nothing
(the common first page). No FilterSet here overrides `qs` or `filter_queryset`, and
django-filter ignores absent and empty parameters, so skipping it returns exactly
the queryset it would have.
"""

from __future__ import annotations

from functools import cache

import django_filters
from django import forms
from django.db import models
from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from drf_yasg import openapi
from rest_framework.filters import OrderingFilter, SearchFilter

from api.common.exceptions import InvalidInput
from api.common.limits import require_dates_in_range

FORMAT_PARAMETER = "format"
UNKNOWN = "Unknown query parameter."


def names_a_filter(params, filterset_class) -> bool:
    """Whether any query parameter can belong to one of the FilterSet's filters:
    its name, or its name plus a widget suffix (`_min`, `_after`, `_0`...)."""
    names = filterset_class.base_filters
    for key in params:
        if key in names:
            return True
        head, _, _ = key.rpartition("_")
        while head:
            if head in names:
                return True
            head, _, _ = head.rpartition("_")
    return False


@cache
def filter_parameters(filterset_class) -> frozenset[str]:
    """The query parameters a FilterSet reads: each filter's name, or its name with
    each widget suffix for filters spread over several inputs (ranges)."""
    names: set[str] = set()
    for name, declared in filterset_class.base_filters.items():
        widget = declared.field.widget
        if suffixes := getattr(widget, "suffixes", None):
            names.update(f"{name}_{suffix}" if suffix else name for suffix in suffixes)
        elif isinstance(widget, forms.MultiWidget):
            names.update(f"{name}_{index}" for index in range(len(widget.widgets)))
        else:
            names.add(name)
    return frozenset(names)


def refuse_unknown(params, known, renamed: dict[str, str] | None = None) -> None:
    """InvalidInput naming every parameter outside `known` (a renamed one with its new name)."""
    renamed = renamed or {}
    errors = {}
    for key in params:
        if key in known:
            continue
        new_name = renamed.get(key)
        errors[key] = [f"Renamed: use {new_name}."] if new_name else [UNKNOWN]
    if errors:
        raise InvalidInput(errors, code="unknown_parameter")


def require_known_ordering(params, param: str, allowed: list[str]) -> None:
    """`ordering` names only the list's ordering fields (each may carry a leading `-`)."""
    raw = params.get(param, "")
    terms = [term.strip() for term in raw.split(",") if term.strip()]
    unknown = [term for term in terms if term.removeprefix("-") not in allowed]
    if not unknown:
        return
    if allowed:
        named, choices = ", ".join(unknown), ", ".join(allowed)
        message = f"Unknown ordering {named}; allowed: {choices} (a - sorts descending)."
    else:
        message = "This list has a fixed order."
    raise InvalidInput({param: [message]}, code="unknown_ordering")


class _ListParameters:
    """What one list view understands, worked out once per view class."""

    def __init__(self, view):
        self.known = {FORMAT_PARAMETER}
        self.renamed: dict[str, str] = {}
        self.ordering: tuple[str, list[str]] | None = None
        self.search_refused: str | None = None
        paginator = view.paginator
        if paginator is not None:
            self.known.update(
                name
                for name in (
                    getattr(paginator, "page_query_param", None),
                    getattr(paginator, "page_size_query_param", None),
                )
                if name
            )
        queryset = view.get_queryset()
        for backend_class in view.filter_backends:
            backend = backend_class()
            if isinstance(backend, DjangoFilterBackend):
                filterset_class = backend.get_filterset_class(view, queryset)
                if filterset_class is not None:
                    self.known |= filter_parameters(filterset_class)
                    self.renamed.update(getattr(filterset_class, "renamed", {}))
            elif isinstance(backend, SearchFilter):
                if backend.get_search_fields(view, view.request):
                    self.known.add(backend.search_param)
                else:
                    self.search_refused = backend.search_param
            elif isinstance(backend, OrderingFilter):
                self.known.add(backend.ordering_param)
                fields = backend.get_valid_fields(queryset, view, {"request": view.request})
                self.ordering = (backend.ordering_param, [name for name, _ in fields])


_LIST_PARAMETERS: dict[type, _ListParameters] = {}


def require_known_parameters(view, request) -> None:
    """400 for any query parameter the view's current action does not understand."""
    params = request.query_params
    if not params:
        return
    action = getattr(view, "action", None)
    if action != "list":
        # Other actions read only `format`, unless the view names what one reads
        # (`action_query_parameters = {"allowance": ("employee", "date")}`).
        own = getattr(view, "action_query_parameters", {}).get(action, ())
        refuse_unknown(params, {FORMAT_PARAMETER, *own})
        return
    listing = _LIST_PARAMETERS.get(type(view))
    if listing is None:
        listing = _LIST_PARAMETERS[type(view)] = _ListParameters(view)
    if listing.search_refused and listing.search_refused in params:
        raise InvalidInput(
            {listing.search_refused: ["This list has no text search."]}, code="unknown_parameter"
        )
    refuse_unknown(params, listing.known, listing.renamed)
    if listing.ordering is not None:
        require_known_ordering(params, *listing.ordering)


_INTEGER_FIELDS = (models.IntegerField, models.AutoField, models.ForeignKey, models.ManyToManyField)


def _choices(declared) -> list[str]:
    return [str(value) for value, _ in declared.extra.get("choices") or () if value != ""]


def _value_schema(declared, filterset_class) -> dict:
    """The OpenAPI type (and format or choices) of one filter's value."""
    if isinstance(declared, django_filters.BooleanFilter):
        return {"type": openapi.TYPE_BOOLEAN}
    if isinstance(declared, django_filters.IsoDateTimeFilter):
        return {"type": openapi.TYPE_STRING, "format": openapi.FORMAT_DATETIME}
    if isinstance(declared, django_filters.DateFilter):
        return {"type": openapi.TYPE_STRING, "format": openapi.FORMAT_DATE}
    if isinstance(declared, django_filters.ModelChoiceFilter):
        return {"type": openapi.TYPE_INTEGER}
    choice_filters = (django_filters.ChoiceFilter, django_filters.MultipleChoiceFilter)
    if isinstance(declared, choice_filters) and (choices := _choices(declared)):
        return {"type": openapi.TYPE_STRING, "enum": choices}
    if isinstance(declared, django_filters.NumberFilter):
        model_field = utils.get_model_field(filterset_class._meta.model, declared.field_name)
        whole = isinstance(model_field, _INTEGER_FIELDS) or declared.lookup_expr == "year"
        return {"type": openapi.TYPE_INTEGER if whole else openapi.TYPE_NUMBER}
    return {"type": openapi.TYPE_STRING}


def filter_schema_parameters(filterset_class) -> list[dict]:
    """Each query parameter of a FilterSet as an OpenAPI parameter, with its type and
    choices: what drf-yasg documents (it would type every filter a plain string)."""
    parameters = []
    for name, declared in filterset_class.base_filters.items():
        schema = _value_schema(declared, filterset_class)
        if isinstance(declared, django_filters.MultipleChoiceFilter):
            # Repeatable: ?status=a&status=b.
            schema = {
                "type": openapi.TYPE_ARRAY,
                "items": openapi.Items(**schema),
                "collection_format": "multi",
            }
        description = str(declared.extra.get("help_text") or declared.label or "")
        widget = declared.field.widget
        if suffixes := getattr(widget, "suffixes", None):
            names = [f"{name}_{suffix}" if suffix else name for suffix in suffixes]
        elif isinstance(widget, forms.MultiWidget):
            names = [f"{name}_{index}" for index in range(len(widget.widgets))]
        else:
            names = [name]
        parameters.extend(
            {"name": each, "in": "query", "description": description, "schema": schema}
            for each in names
        )
    return parameters


class FilterBackend(DjangoFilterBackend):
    def get_schema_operation_parameters(self, view) -> list[dict]:
        filterset_class = self.get_filterset_class(view, view.get_queryset())
        return [] if filterset_class is None else filter_schema_parameters(filterset_class)

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not names_a_filter(
            request.query_params, filterset_class
        ):
            return queryset
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise utils.translate_validation(filterset.errors)
        # Every FilterSet's dates, in one place: inside the range the API accepts.
        require_dates_in_range(filterset.form.cleaned_data)
        return filterset.qs


class DocumentedOrderingFilter(OrderingFilter):
    """`ordering` as DRF reads it, with the list's own fields named in the API docs
    (the same ones a 400 lists when another is asked for)."""

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        allowed = [
            name
            for name, _ in self.get_valid_fields(
                view.get_queryset(), view, {"request": getattr(view, "request", None)}
            )
        ]
        if allowed:
            for parameter in parameters:
                parameter["description"] = (
                    f"Sort by one or more of: {', '.join(allowed)} (comma-separated; a "
                    "leading - sorts descending)."
                )
        return parameters
