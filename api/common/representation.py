"""Plain-dict representations for hot list endpoints.

DRF's field-by-field serialization dominates the cost of a 50-row page. Serializers
of hot lists keep their declared fields (the OpenAPI schema and the contract) but
build their output with these helpers; each such serializer has a test proving its
output equals DRF's own rendering of the same declared fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache, cached_property

from django.db import connection
from django.utils import timezone


def iso(value: datetime | None, tz=None) -> str | None:
    """Like DRF's DateTimeField: in the current time zone, UTC written as Z.

    Pass `tz` (timezone.get_current_timezone()) when formatting many values: looking
    the current zone up goes through a context-local and dominated a 50-row page.
    """
    if value is None:
        return None
    text = value.astimezone(tz or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def decimal(value: Decimal | None) -> str | None:
    """Like DRF's DecimalField with COERCE_DECIMAL_TO_STRING (values already quantized)."""
    return None if value is None else str(value)


def user_brief(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "full_name": user.get_full_name()}


def department_brief(department) -> dict | None:
    if department is None:
        return None
    return {"id": department.pk, "code": department.code, "name": department.name}


def employee_brief(employee) -> dict | None:
    if employee is None:
        return None
    return {
        "id": employee.pk,
        "employee_code": employee.employee_code,
        "full_name": employee.full_name,
        "department": department_brief(employee.department),
    }


def project_brief(project) -> dict | None:
    if project is None:
        return None
    return {"id": project.pk, "code": project.code, "name": project.name}


# ----------------------------------------------------------------------- renderings
#
# A Rendering declares a resource's representation once: its fields in order, and
# the relations it follows. From that one declaration it renders model instances
# (detail, after a write) and plain `.values()` rows (the fast list path), names the
# columns the list reads, and names every model whose rows the output shows (what
# a cached page depends on).


def full_name(first_name: str, last_name: str) -> str:
    """Like User.get_full_name() and Employee.full_name."""
    return f"{first_name} {last_name}".strip()


@dataclass(frozen=True)
class Field:
    """One value. `source` is the attribute (and `.values()` column) it comes from,
    several for a computed value; `format` turns the source value(s) into JSON."""

    name: str
    source: str | tuple[str, ...] | None = None
    format: Callable | None = None

    @property
    def sources(self) -> tuple[str, ...]:
        if self.source is None:
            return (self.name,)
        return self.source if isinstance(self.source, tuple) else (self.source,)


_DATETIME = object()  # marks datetime fields: formatted with the zone looked up once


def datetime_field(name: str, source: str | None = None) -> Field:
    return Field(name, source, format=_DATETIME)


def decimal_field(name: str, source: str | None = None) -> Field:
    return Field(name, source, format=decimal)


@dataclass(frozen=True)
class Brief:
    """A to-one relation rendered as a small object, None when unset.

    `joined`: its columns come with the row (one JOIN, `relation__column`), else it
    is looked up by id, one query per model for the whole page (cheaper than a wide
    join when several relations point at the same table).
    """

    name: str
    model: type
    fields: tuple
    joined: bool = True


@dataclass(frozen=True)
class Many:
    """A reverse relation rendered as a list, in `order`, read in one query a page."""

    name: str
    model: type
    foreign_key: str
    fields: tuple[Field, ...]
    order: tuple[str, ...] = ("id",)


@dataclass(frozen=True)
class Rendering:
    model: type
    fields: tuple

    def names(self) -> tuple[str, ...]:
        return tuple(field.name for field in self.fields)

    def models(self) -> tuple[type, ...]:
        """Every model whose rows the output shows, the rendered one first."""
        found: list[type] = [self.model]

        def visit(fields) -> None:
            for field in fields:
                if isinstance(field, Brief | Many):
                    if field.model not in found:
                        found.append(field.model)
                    visit(field.fields)

        visit(self.fields)
        return tuple(found)

    # -- instances

    def render(self, obj) -> dict:
        return _render_object(obj, self.fields, timezone.get_current_timezone())

    # -- `.values()` rows

    def columns(self) -> tuple[str, ...]:
        """The `.values()` columns `render_rows` needs."""
        columns: list[str] = []
        for field in self.fields:
            if isinstance(field, Brief) and field.joined:
                columns += _joined_columns(field, field.name)
            elif isinstance(field, Brief):
                columns.append(f"{field.name}_id")
            elif isinstance(field, Field):
                columns += field.sources
        if "id" not in columns:
            columns.append("id")
        return tuple(dict.fromkeys(columns))

    def render_rows(self, rows: list[dict], *, many=None, looked_up=None) -> list[dict]:
        """What `render` says of each row's record, from plain rows: a few queries
        for the whole page (one per Many, one per looked-up model), no instances."""
        if many is None:
            many = {
                field.name: _many_by_owner(field, rows)
                for field in self.fields
                if isinstance(field, Many)
            }
        if looked_up is None:
            looked_up = _looked_up(self.fields, rows)
        return self._row_renderer(rows, timezone.get_current_timezone(), many, looked_up)

    @cached_property
    def _row_renderer(self) -> PageRenderer:
        return page_renderer(self, DictRows())


# A page's rows rendered by one generated function: (rows, tz, many, looked_up) -> list.
PageRenderer = Callable[[list, object, dict, dict], list[dict]]


class DictRows:
    """Where generated code finds a page's values (`RowSource`): here `.values()`
    dicts, with the related rows read for the page in `many` ({relation: {row id:
    [child dicts]}}) and `looked_up` ({model: {id: dict}}). Each method returns
    Python expression text; `names` takes the objects that text refers to."""

    def __init__(self, var: str = "row"):
        self.var = var

    def column(self, name: str, names: dict) -> str:
        return f"{self.var}[{name!r}]"

    def formatted(self, field: Field, prefix: str) -> str | None:
        """The field's formatted value where the source already holds it; None: the
        generated code formats `column(...)` itself."""
        return None

    def many(self, field: Many, names: dict) -> tuple[str, DictRows]:
        child = DictRows(f"c{len(names)}")
        names[child.var] = None  # reserved
        return f"many[{field.name!r}][{self.column('id', names)}]", child

    def looked_up(self, field: Brief, names: dict) -> tuple[str, DictRows]:
        model, child = f"m{len(names)}", DictRows(f"r{len(names)}")
        names[model], names[child.var] = field.model, None
        return f"looked_up[{model}].get({self.column(f'{field.name}_id', names)})", child


def page_renderer(rendering: Rendering, source) -> PageRenderer:
    """One function rendering a page's rows, generated once per rendering and row
    source: a list comprehension of dict displays. Deciding each field's kind per
    row (isinstance, source tuples, format dispatch), or calling a function per
    field, cost more than building the row itself. Only repr()'d names and indexes
    from the declaration go into the text; formatters are passed by reference."""
    names: dict = {}
    row = _display(rendering.fields, source, "", names, top=True)
    text = "\n".join(
        [
            "def render(rows, tz, many, looked_up):",
            "    seen = TimestampMemo(tz)",
            f"    return [{row} for row in rows]",
            "",
        ]
    )
    namespace = {key: value for key, value in names.items() if value is not None}
    namespace["TimestampMemo"] = TimestampMemo
    code = compile(text, f"<rendering of {rendering.model.__name__}>", "exec")
    exec(code, namespace)  # noqa: S102 - text written above from the declaration only
    return namespace["render"]


class TimestampMemo(dict):
    """A page's formatted timestamps: `memo[value]` formats a value the first time it
    is asked for (a dict miss calls `__missing__`), then it is one subscript."""

    __slots__ = ("tz",)

    def __init__(self, tz):
        super().__init__()
        self.tz = tz

    def __missing__(self, value: datetime) -> str:
        self[value] = text = iso(value, self.tz)
        return text


def _display(fields, source, prefix: str, names: dict, top: bool = False) -> str:
    items = [f"{f.name!r}: {_expression(f, source, prefix, names, top)}" for f in fields]
    return "{" + ", ".join(items) + "}"


def _expression(field, source, prefix: str, names: dict, top: bool) -> str:
    if isinstance(field, Many):
        children, child = source.many(field, names)
        return f"[{_display(field.fields, child, '', names)} for {child.var} in {children}]"
    if isinstance(field, Brief) and (field.joined or not top):
        nested = f"{prefix}{field.name}__"
        # A LEFT JOIN that found nothing gives a null id: the relation is unset.
        marker = source.column(f"{nested}id", names)
        return f"(None if {marker} is None else {_display(field.fields, source, nested, names)})"
    if isinstance(field, Brief):
        related, child = source.looked_up(field, names)
        shown = _display(field.fields, child, "", names)
        return f"(None if ({child.var} := {related}) is None else {shown})"
    if field.format is not None and (written := source.formatted(field, prefix)) is not None:
        return written
    keys = [source.column(prefix + name, names) for name in field.sources]
    if field.format is None:
        return keys[0]
    if field.format is _DATETIME:
        # Unset timestamps (many) are no call; one that recurs on the page (a shift's
        # start, shared by a team) is formatted once: ~1.9 us a value on this CPU,
        # against one dict lookup. The page's own memo, written while it is rendered.
        return f"(None if (t := {keys[0]}) is None else seen[t])"
    formatter = f"f{len(names)}"
    names[formatter] = field.format
    return f"{formatter}({', '.join(keys)})"


def _format(field: Field, values: list, tz):
    if field.format is None:
        return values[0]
    if field.format is _DATETIME:
        return iso(values[0], tz)
    return field.format(*values)


def _render_object(obj, fields, tz) -> dict:
    item = {}
    for field in fields:
        if isinstance(field, Many):
            item[field.name] = [
                _render_object(child, field.fields, tz) for child in getattr(obj, field.name).all()
            ]
        elif isinstance(field, Brief):
            related = getattr(obj, field.name)
            item[field.name] = (
                None if related is None else _render_object(related, field.fields, tz)
            )
        else:
            item[field.name] = _format(
                field, [getattr(obj, source) for source in field.sources], tz
            )
    return item


def _joined_columns(brief: Brief, prefix: str) -> list[str]:
    columns = [f"{prefix}__id"]  # always read: a null id is how an unset relation shows
    for field in brief.fields:
        if isinstance(field, Brief):
            columns += _joined_columns(field, f"{prefix}__{field.name}")
        else:
            columns += [f"{prefix}__{source}" for source in field.sources]
    return columns


def _many_by_owner(field: Many, rows: list[dict]) -> dict[int, list[dict]]:
    owners: dict[int, list[dict]] = {row["id"]: [] for row in rows}
    if owners:
        key = f"{field.foreign_key}_id"
        sources = [source for child in field.fields for source in child.sources]
        for child in rows_where_in(field.model, key, list(owners), (key, *sources), field.order):
            owners[child[key]].append(child)
    return owners


def _looked_up(fields, rows: list[dict]) -> dict[type, dict[int, dict]]:
    """The looked-up relations of a page: {model: {id: row}}, one query per model."""
    wanted: dict[type, tuple[set, list]] = {}
    for field in fields:
        if isinstance(field, Brief) and not field.joined:
            ids, sources = wanted.setdefault(field.model, (set(), ["id"]))
            ids.update(row[f"{field.name}_id"] for row in rows if row[f"{field.name}_id"])
            sources += [s for child in field.fields for s in child.sources if s not in sources]
    found: dict[type, dict[int, dict]] = {}
    for model, (ids, sources) in wanted.items():
        found[model] = (
            {related["id"]: related for related in rows_where_in(model, "id", sorted(ids), sources)}
            if ids
            else {}
        )
    return found


def rows_where_in(model, column: str, values: list, sources, order=()) -> list[dict]:
    """`model.objects.filter(<column>__in=values).order_by(*order).values(*sources)`.

    On PostgreSQL the statement is written once per shape, `= ANY(%s)` with the
    values as one array: compiling the ORM query cost more CPU than PostgreSQL
    spent running it (~0.5 ms a query, two per page). Fields the database cannot
    hand over as they are (converters: from_db_value, SQLite's types) take the ORM.
    """
    if connection.vendor == "postgresql":
        sql = _any_sql(model, column, tuple(sources), tuple(order))
        if sql is not None:
            with connection.cursor() as cursor:
                cursor.execute(sql, [values])
                return [dict(zip(sources, row, strict=True)) for row in cursor.fetchall()]
    return list(model.objects.filter(**{f"{column}__in": values}).order_by(*order).values(*sources))


@cache
def _any_sql(model, column: str, sources: tuple, order: tuple) -> str | None:
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in (*sources, column)]
    if any(getattr(field, "from_db_value", None) for field in fields) or not all(
        field.concrete and not field.many_to_many for field in fields
    ):
        return None
    table = quote(model._meta.db_table)
    selected = ", ".join(f"{table}.{quote(field.column)}" for field in fields[:-1])
    ordering = [
        f"{table}.{quote(model._meta.get_field(name.lstrip('-')).column)}"
        + (" DESC" if name.startswith("-") else " ASC")
        for name in order
    ]
    # Only quoted names from the model's metadata go into the text; values are a parameter.
    parts = ["SELECT", selected, "FROM", table, "WHERE", f"{table}.{quote(fields[-1].column)}"]
    parts.append("= ANY(%s)")
    if ordering:
        parts += ["ORDER BY", ", ".join(ordering)]
    return " ".join(parts)
