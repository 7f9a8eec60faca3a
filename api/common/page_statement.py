"""A list page in one SQL statement on PostgreSQL.

`Rendering.render_rows` reads a page as a `.values()` query plus one query per
to-many relation and per looked-up model: three statements for the overtime list,
each a round trip that holds the worker thread, and an ORM compilation of 38 joined
columns per page (~0.5 ms of CPU to build, ~0.5 ms to compile). Here the page is one
statement, written once per rendering from the models' metadata:

    SELECT <the rendering's columns, joined as .values() joins them>,
           json_build_array(
               <its JSON fields>,
               (SELECT json_agg(json_build_array(<child columns>) ORDER BY <order>) ...),
               (SELECT json_build_array(<columns>) FROM <looked-up model> ...), ...)
    FROM unnest(ARRAY(<the page's ids, as the ORM writes them>)) WITH ORDINALITY
    JOIN <table> ON <its id> ... ORDER BY <the ordinality>

Which rows, in which order, stays the ORM's: the scope, filters, search, ordering and
LIMIT/OFFSET are the queryset's own `SELECT id ...`, compiled per page as any query
(a one-column select compiles in ~0.09 ms) and embedded as it is, placeholders and
parameters included. ARRAY() keeps its rows' order and WITH ORDINALITY numbers them,
so the page comes back in the ORM's order. The related rows come as correlated
subqueries, planned apart from the join (a 7-table join planned 3-5 ms here), and
everything JSON carries for a row ends it as one array, so a page's JSON is parsed in
one call (one `json.loads` per value was ~95 calls a page). What reaches the
renderer is what the three queries gave: same columns, same values (the fields'
converters applied, JSON fields parsed as Django parses them), same order of children.

Relations whose columns JSON cannot carry unchanged (decimals, dates, fields with
converters) keep the three-query path, as SQLite always does.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cached_property

import psycopg
from django.conf import settings
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import Col
from django.utils import timezone
from psycopg.types.datetime import TimestamptzLoader

from api.common.representation import (
    Brief,
    Field,
    Many,
    PageRenderer,
    Rendering,
    decimal,
    page_renderer,
)

# Field types whose values JSON carries unchanged (ints, strings, booleans) or that
# are read back exactly (a timestamp with time zone: ISO 8601 with its offset).
_AS_JSON = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
        "CharField",
        "TextField",
        "SlugField",
        "EmailField",
        "URLField",
        "BooleanField",
        "DateTimeField",
    }
)


class RenderedQuerySet(Sequence):
    """The rows of `queryset` (filtered and ordered) as `rendering` renders them, a
    slice at a time: what a paginator pages through instead of the queryset."""

    def __init__(self, queryset: QuerySet, rendering: Rendering):
        self.queryset = queryset
        self.rendering = rendering
        self.model = queryset.model

    @property
    def ordered(self) -> bool:
        return self.queryset.ordered

    @property
    def query(self):  # a count cache without a scope key is keyed by the SQL
        return self.queryset.query

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        statement = page_statement(self.rendering, self.queryset.db)
        if statement is not None:
            return statement.render(self.queryset[index])
        rows = list(self.queryset.values(*self.rendering.columns())[index])
        return self.rendering.render_rows(rows)


def page_statement(rendering: Rendering, using: str) -> PageStatement | None:
    """The rendering's one-statement page on that database, if it can have one."""
    if connections[using].vendor != "postgresql":
        return None
    # Decided once per rendering (module-level constants), kept with it.
    try:
        return rendering.__dict__["_page_statement"]
    except KeyError:
        statement = PageStatement(rendering)
        rendering.__dict__["_page_statement"] = statement if statement.possible() else None
        return rendering.__dict__["_page_statement"]


class _Unsupported(Exception):
    """A path the statement cannot write the way `.values()` reads it."""


class PageStatement:
    def __init__(self, rendering: Rendering):
        self.rendering = rendering

    def possible(self) -> bool:
        for field in self.rendering.fields:
            if isinstance(field, Many) or (isinstance(field, Brief) and not field.joined):
                try:
                    fields = [field.model._meta.get_field(n) for n in _child_sources(field)]
                except (FieldDoesNotExist, _Unsupported):
                    return False
                if not all(_travels_as_json(child) for child in fields):
                    return False
        try:
            self._written  # noqa: B018 - written now: a path it cannot write says no here
        except (FieldDoesNotExist, _Unsupported):
            return False
        return True

    def render(self, page: QuerySet) -> list[dict]:
        """The rendered rows of a sliced queryset (the page), in its order."""
        ids = page.values_list("pk")
        if ids.query.distinct:  # DISTINCT adds the ORDER BY columns to the select
            return self.rendering.render_rows(list(page.values(*self.rendering.columns())))
        try:
            inner, params = ids.query.get_compiler(using=page.db).as_sql()
        except EmptyResultSet:
            return []
        (head, tail), render, bundled = self._written
        with _cursor(connections[page.db], prepared=not params) as cursor:
            cursor.execute(f"{head}{inner}{tail}", params)
            fetched = cursor.fetchall()
        tz = timezone.get_current_timezone()
        memo = self.rendered_rows
        keys = [(tz, row) for row in fetched]
        try:
            rendered = [memo.get(key) for key in keys]
        except TypeError:  # a value that cannot be a key (a list, say): render them all
            rendered, memo = [None] * len(fetched), _REMEMBERS_NOTHING
        new = [index for index, row in enumerate(rendered) if row is None]
        if not new:
            return rendered
        fresh = [fetched[index] for index in new]
        if bundled:
            # Every row's JSON (its relations, its JSON fields) in one parse: ~95
            # small json.loads calls a page cost more than the parsing itself.
            parsed = json.loads("[" + ",".join([row[-1] for row in fresh]) + "]")
            fresh = [(*row[:-1], values) for row, values in zip(fresh, parsed, strict=True)]
        for index, row in zip(new, render(fresh, tz, None, None), strict=True):
            rendered[index] = row
            memo.put(keys[index], row)
        return rendered

    @cached_property
    def rendered_rows(self) -> RenderedRows:
        return RenderedRows(settings.PAGE_ROWS_REMEMBERED)

    @cached_property
    def _written(self) -> tuple[tuple[str, str], PageRenderer, bool]:
        """The statement's text before and after the inner query, the function
        rendering its rows, and whether a row ends with its JSON values (bundled)."""
        model = self.rendering.model
        connection = connections[model.objects.db]
        quote = connection.ops.quote_name
        joins = _Joins(model, quote)
        selected, index, converters = [], {}, {}
        # What JSON carries for a row, in one array in its last column: JSON fields
        # (read as Django reads them: parsed, with the default decoder) and each
        # relation's rows.
        bundle, bundled = [], {}
        decimals, as_text = _decimal_columns(self.rendering.fields), set()
        for column in self.rendering.columns():
            sql, field, alias = joins.column(column)
            if _read_as_plain_json(field, alias, connection):
                bundled[column] = len(bundle)
                bundle.append(sql)
                continue
            index[column] = len(selected)
            if column in decimals and _text_is_str_of_decimal(field, alias, connection):
                # PostgreSQL's text of the value is what `decimal` writes of it.
                as_text.add(column)
                selected.append(f"{sql}::text")
                continue
            selected.append(sql)
            if (convert := _converter(field, alias, connection)) is not None:
                converters[column] = convert
        for field in self.rendering.fields:
            if isinstance(field, Many):
                bundled[field.name] = len(bundle)
                bundle.append(_many_sql(field, quote))
            elif isinstance(field, Brief) and not field.joined:
                bundled[field.name] = len(bundle)
                bundle.append(_looked_up_sql(field, model, quote))
        if bundle:
            selected.append(f"json_build_array({', '.join(bundle)})::text")
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        # Only names quoted from the models' metadata around the inner query, and no
        # %: its placeholders and escapes pass through as the ORM wrote them.
        head = " ".join(["SELECT", ", ".join(selected), "FROM unnest(ARRAY("])
        tail = " ".join(
            [
                ")) WITH ORDINALITY AS page(id, position)",
                f"INNER JOIN {table} t0 ON t0.{pk} = page.id",
                *joins.clauses,
                "ORDER BY page.position",
            ]
        )
        source = _StatementRow(index, converters, bundled, len(selected) - 1, as_text)
        return (head, tail), page_renderer(self.rendering, source), bool(bundle)

    def __repr__(self) -> str:
        return f"PageStatement({self.rendering.model.__name__})"


class RenderedRows:
    """The rows this process rendered lately, by what the statement read for them and
    the zone they were written in: a row read again unchanged is not rendered again.

    A rendered row is a pure function of its statement row (every column the
    rendering shows, its relations' rows and JSON fields in the JSON that ends it)
    and the reader's zone, so the key holds everything the output depends on: a row
    that changed in any shown value, or in a related row it shows, is a new key.
    Which rows a reader gets, and their freshness, stay the statement's: each page
    still reads its rows from the database. What it saves is the Python that writes
    them. Pages are rebuilt when any row of six models is written (the list cache's
    generations), and most rows of a page rebuilt that way did not change.

    Bounded: at most `capacity` rows in each of two generations; when the recent
    one is full it becomes the older one and the oldest is dropped, and a row found
    in the older one moves to the recent one (an LRU's effect, at a dict's cost).
    The rendered dicts are shared by every page that shows the row: read-only.
    Thread-safe under the GIL: each step is one dict operation."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self.recent: dict = {}
        self.older: dict = {}

    def get(self, key):
        found = self.recent.get(key)
        if found is None and (found := self.older.get(key)) is not None:
            self.put(key, found)
        return found

    def put(self, key, rendered: dict) -> None:
        if self.capacity <= 0:
            return
        if len(self.recent) >= self.capacity:
            self.older, self.recent = self.recent, {}
        self.recent[key] = rendered

    def clear(self) -> None:
        self.recent, self.older = {}, {}


_REMEMBERS_NOTHING = RenderedRows(capacity=0)


def _cursor(connection, *, prepared: bool):
    """Django's cursor; for a statement without parameters, one that has PostgreSQL
    keep its plan (a server-side prepared statement, per connection).

    A page's statement plans in 0.4-1.2 ms here and runs in about as long, page after
    page the same text. The settings keep psycopg from preparing anything (a generic
    plan for a statement with parameters ignores their values and once sorted 100,000
    rows for a 50-row page); a statement without parameters has nothing a generic
    plan could ignore: its prepared plan is the one it would get each time. Such pages
    are an unfiltered list of a reader who sees every row (LIMIT and OFFSET are part
    of the text), each page size and number its own statement, at most
    `prepared_max` (psycopg's 100) per connection."""
    if not prepared:
        cursor = connection.cursor()
        _load_timestamps_in_c(cursor.cursor)
        return cursor
    connection.ensure_connection()
    with connection.wrap_database_errors:
        # Logged, wrapped and counted as any of Django's cursors are.
        raw = _PreparingCursor(connection.connection)
        _load_timestamps_in_c(raw)
        if connection.queries_logged:
            return connection.make_debug_cursor(raw)
        return connection.make_cursor(raw)


def _load_timestamps_in_c(cursor: psycopg.Cursor) -> None:
    """This cursor's timestamps come from psycopg's own (C) loader, not Django's.

    Django's loader is a Python call around that same loader, to give each value
    Django's zone object (`replace(tzinfo=...)`): ~270 calls a page, ~3% of a page
    built under load. The instant is the same either way, and a statement's
    timestamps only ever reach the renderer, which writes them in the reader's zone;
    the zone object they were read in never shows. Only this cursor: the ORM's reads
    keep Django's loader."""
    cursor.adapters.register_loader("timestamptz", TimestamptzLoader)


class _PreparingCursor(psycopg.Cursor):
    """Binds on the server and prepares what it runs (Django's cursors bind on the
    client, which cannot prepare)."""

    def execute(self, query, params=None, **kwargs):
        connection = self.connection
        threshold = connection.prepare_threshold
        # None (never prepare) refuses prepare=True as well; a threshold no statement
        # reaches prepares only what asks to be.
        connection.prepare_threshold = sys.maxsize
        try:
            return super().execute(query, params, prepare=True)
        finally:
            connection.prepare_threshold = threshold


class _StatementRow:
    """Where the generated renderer finds a value in a row of the statement (see
    representation.DictRows): the rendering's columns by position, through their
    converters; JSON fields and each relation's rows in the parsed array that ends
    the row."""

    def __init__(
        self,
        index: dict[str, int],
        converters: dict[str, Callable],
        bundled: dict[str, int],
        bundle_at: int,
        as_text: set[str],
    ):
        self.index, self.converters = index, converters
        self.bundled, self.bundle_at = bundled, bundle_at
        self.as_text = as_text

    def formatted(self, field: Field, prefix: str) -> str | None:
        path = prefix + field.sources[0]
        if field.format is decimal and len(field.sources) == 1 and path in self.as_text:
            return f"row[{self.index[path]}]"
        return None

    def column(self, name: str, names: dict) -> str:
        if name in self.bundled:
            return self._in_bundle(name)
        value = f"row[{self.index[name]}]"
        if name not in self.converters:
            return value
        converter = f"v{len(names)}"
        names[converter] = self.converters[name]
        return f"{converter}({value})"

    def many(self, field: Many, names: dict) -> tuple[str, _JSONRow]:
        # No child rows: json_agg gives NULL; any rows: a non-empty list.
        return f"({self._in_bundle(field.name)} or ())", self._child(field, names)

    def looked_up(self, field: Brief, names: dict) -> tuple[str, _JSONRow]:
        return self._in_bundle(field.name), self._child(field, names)

    def _in_bundle(self, name: str) -> str:
        return f"row[{self.bundle_at}][{self.bundled[name]}]"

    def _child(self, field, names: dict) -> _JSONRow:
        child = _JSONRow(f"j{len(names)}", field.model, _child_sources(field))
        names[child.var] = None  # a variable of the generated code: the name is taken
        names["parse"] = datetime.fromisoformat
        return child


class _JSONRow:
    """One related row: a JSON array of its sources' values, in order; timestamps
    (ISO 8601 with their offset) read back as the aware datetimes the ORM reads."""

    def __init__(self, var: str, model, sources: tuple[str, ...]):
        self.var, self.model, self.sources = var, model, sources

    def formatted(self, field: Field, prefix: str) -> str | None:
        return None  # JSON carries no decimals (a relation with them has its own query)

    def column(self, name: str, names: dict) -> str:
        value = f"{self.var}[{self.sources.index(name)}]"
        field = self.model._meta.get_field(name)
        if field.get_internal_type() != "DateTimeField":
            return value
        if field.null:
            return f"(None if (v := {value}) is None else parse(v))"
        return f"parse({value})"


class _Joins:
    """The joins `.values()` makes for `relation__column` paths: INNER along
    non-null foreign keys, LEFT OUTER from the first nullable one on; `relation__id`
    reads the foreign key itself, as the ORM does."""

    def __init__(self, model, quote):
        self.quote = quote
        self.aliases: dict[str, tuple[str, type, bool]] = {"": ("t0", model, False)}
        self.clauses: list[str] = []

    def column(self, path: str):
        *relations, name = path.split("__")
        alias, model, nullable = self.aliases[""]
        prefix = ""
        for index, relation in enumerate(relations):
            foreign_key = _foreign_key(model, relation)
            target = foreign_key.target_field
            if index == len(relations) - 1 and name == target.name:
                return f"{alias}.{self.quote(foreign_key.column)}", target, alias
            prefix = f"{prefix}__{relation}"
            if prefix not in self.aliases:
                outer = nullable or foreign_key.null
                joined = f"t{len(self.aliases)}"
                self.clauses.append(
                    f"{'LEFT OUTER' if outer else 'INNER'} JOIN "
                    f"{self.quote(foreign_key.related_model._meta.db_table)} {joined} ON "
                    f"{alias}.{self.quote(foreign_key.column)} = "
                    f"{joined}.{self.quote(target.column)}"
                )
                self.aliases[prefix] = (joined, foreign_key.related_model, outer)
            alias, model, nullable = self.aliases[prefix]
        field = model._meta.get_field(name)
        if not field.concrete or field.many_to_many:
            raise _Unsupported(path)
        return f"{alias}.{self.quote(field.column)}", field, alias


def _foreign_key(model, name: str):
    field = model._meta.get_field(name)
    if not (field.concrete and (field.many_to_one or field.one_to_one)):
        raise _Unsupported(f"{model.__name__}.{name}")
    return field


def _read_as_plain_json(field, alias: str, connection) -> bool:
    """A JSON field Django reads by parsing its text with the default decoder and
    nothing else: parsed as part of the row's JSON, the value is the same."""
    if field.get_internal_type() != "JSONField" or field.decoder is not None:
        return False
    return _db_converters(field, alias, connection)[1] == [field.from_db_value]


def _converter(field, alias: str, connection) -> Callable | None:
    """The converters the ORM applies to this column's values, as one function."""
    expression, found = _db_converters(field, alias, connection)
    if not found:
        return None

    def convert(value):
        for converter in found:
            value = converter(value, expression, connection)
        return value

    return convert


def _db_converters(field, alias: str, connection) -> tuple[Col, list[Callable]]:
    """The column's expression and the converters the ORM applies to its values."""
    expression = Col(alias, field)
    return expression, [
        *connection.ops.get_db_converters(expression),
        *expression.get_db_converters(connection),
    ]


def _decimal_columns(fields, prefix: str = "") -> set[str]:
    """The columns (`.values()` paths) the rendering writes with `decimal`, alone."""
    found: set[str] = set()
    for field in fields:
        if isinstance(field, Brief) and field.joined:
            found |= _decimal_columns(field.fields, f"{prefix}{field.name}__")
        elif isinstance(field, Field) and field.format is decimal and len(field.sources) == 1:
            found.add(prefix + field.sources[0])
    return found


def _text_is_str_of_decimal(field, alias: str, connection) -> bool:
    """Whether PostgreSQL's text of this column is `str()` of the Decimal the ORM
    reads. A numeric's text never has an exponent; `str(Decimal)` writes one below
    1e-6 (`0.0000000` is `0E-7`), which a scale of at most 6 never reaches. NaN and
    the infinities are written alike."""
    return (
        field.get_internal_type() == "DecimalField"
        and field.decimal_places is not None
        and field.decimal_places <= 6
        and not _db_converters(field, alias, connection)[1]
    )


def _child_sources(field: Many | Brief) -> tuple[str, ...]:
    sources: list[str] = []
    for child in field.fields:
        if not isinstance(child, Field):  # a relation of a related row
            raise _Unsupported(field.name)
        sources += [source for source in child.sources if source not in sources]
    return tuple(sources)


def _travels_as_json(field) -> bool:
    if field.many_to_one or field.one_to_one:  # `relation_id`: the target's type
        return field.concrete and _travels_as_json(field.target_field)
    return (
        field.concrete
        and not field.many_to_many
        and not getattr(field, "from_db_value", None)
        and field.get_internal_type() in _AS_JSON
    )


def _json_array(model, names, alias: str, quote) -> str:
    columns = ", ".join(f"{alias}.{quote(model._meta.get_field(n).column)}" for n in names)
    return f"json_build_array({columns})"


def _many_sql(field: Many, quote) -> str:
    child = field.model
    key = _foreign_key(child, field.foreign_key)
    order = ", ".join(
        f"c.{quote(child._meta.get_field(name.lstrip('-')).column)}"
        + (" DESC" if name.startswith("-") else " ASC")
        for name in field.order
    )
    aggregated = _json_array(child, _child_sources(field), "c", quote)
    parts = ["(SELECT", f"json_agg({aggregated}{' ORDER BY ' + order if order else ''})"]
    parts += ["FROM", f"{quote(child._meta.db_table)} c", "WHERE"]
    parts.append(f"c.{quote(key.column)} = t0.{quote(key.target_field.column)})")
    return " ".join(parts)


def _looked_up_sql(field: Brief, owner, quote) -> str:
    key, related = _foreign_key(owner, field.name), field.model
    parts = ["(SELECT", _json_array(related, _child_sources(field), "l", quote)]
    parts += ["FROM", f"{quote(related._meta.db_table)} l", "WHERE"]
    parts.append(f"l.{quote(key.target_field.column)} = t0.{quote(key.column)})")
    return " ".join(parts)
