"""The API's JSON renderer writes what DRF's standard-library renderer writes."""

import dataclasses
import datetime
import decimal
import ipaddress
import uuid
import zoneinfo

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers as drf_renderers
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from api.common.renderers import JSONRenderer

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


def both(data, media_type=None, context=None):
    return (
        JSONRenderer().render(data, media_type, context),
        drf_renderers.JSONRenderer().render(data, media_type, context),
    )


@pytest.mark.parametrize(
    "data",
    [
        {"id": 1, "name": "Budi Santoso", "active": True, "note": None, "hours": "2.50"},
        [1, -2, 0, 2**63 - 1, -(2**63), 0.1, 2.5, -0.0, 1e16, 1e300, 123.456],
        {"text": 'Überstunden — 残業 ✓ "quoted" back\\slash \n\t\x01 </script>'},
        {"nested": {"deep": [[{"a": []}], {}], "tuple": (1, "two")}},
        ReturnDict({"results": ReturnList([{"id": 1}], serializer=None)}, serializer=None),
        {
            "at": datetime.datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=JAKARTA),
            "utc": datetime.datetime(2026, 3, 1, 1, 0, tzinfo=datetime.UTC),
            "naive": datetime.datetime(2026, 3, 1, 8, 0),
            "day": datetime.date(2026, 3, 1),
            "time": datetime.time(17, 45),
            "span": datetime.timedelta(hours=1, minutes=30),
            "decimal": decimal.Decimal("7.25"),
            "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
            "address": ipaddress.IPv4Address("10.0.0.1"),
            "lazy": gettext_lazy("Overtime"),
            "bytes": b"raw",
        },
    ],
    ids=["scalars", "numbers", "text", "nesting", "drf-containers", "drf-encoded-types"],
)
def test_writes_the_bytes_drf_writes(data):
    ours, theirs = both(data)
    assert ours == theirs


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("one\u2028two\u2029three", b'"one\\u2028two\\u2029three"'),
        ("only\u2029", b'"only\\u2029"'),
        # Characters that share the separators' first byte (E2) stay as they are.
        ("\u201cquoted\u201d \u2026 \u20ac", '"\u201cquoted\u201d \u2026 \u20ac"'.encode()),
        ("\u201c\u2028\u201d", '"\u201c\\u2028\u201d"'.encode()),
    ],
)
def test_line_and_paragraph_separators_are_escaped_as_drf_escapes_them(text, written):
    ours, theirs = both({"text": text})
    assert ours == theirs == b'{"text":' + written + b"}"


@pytest.mark.parametrize(
    "data",
    [
        {"big": 2**64},  # beyond orjson's 64 bits
        {1: "int key", None: "null key"},  # keys orjson refuses, the standard library writes
    ],
    ids=["big-integer", "non-string-keys"],
)
def test_what_orjson_refuses_is_rendered_by_drf(data):
    ours, theirs = both(data)
    assert ours == theirs


def test_an_indent_asked_for_is_honoured():
    data = {"a": [1, 2]}
    ours, theirs = both(data, "application/json; indent=4")
    assert ours == theirs == b'{\n    "a": [\n        1,\n        2\n    ]\n}'
    assert both(data, None, {"indent": 2})[0] == b'{\n  "a": [\n    1,\n    2\n  ]\n}'


def test_nothing_renders_as_an_empty_body():
    assert JSONRenderer().render(None) == b""


def test_a_value_neither_encoder_knows_still_fails_as_before():
    class Opaque:
        pass

    with pytest.raises(TypeError):
        drf_renderers.JSONRenderer().render({"x": Opaque()})
    with pytest.raises(TypeError):
        JSONRenderer().render({"x": Opaque()})


def test_a_dataclass_is_refused_as_drf_refuses_it():
    @dataclasses.dataclass
    class Point:
        x: int

    with pytest.raises(TypeError):
        drf_renderers.JSONRenderer().render({"p": Point(1)})
    with pytest.raises(TypeError):
        JSONRenderer().render({"p": Point(1)})


def test_the_documented_differences_are_the_same_json_values():
    import json

    for value in (1e-05, 1.5e-07, 2.5e-300):
        ours, theirs = both([value])
        assert json.loads(ours) == json.loads(theirs) == [value]
    # NaN has no JSON spelling: null, where DRF's strict mode refused the page.
    assert JSONRenderer().render({"x": float("nan")}) == b'{"x":null}'
    with pytest.raises(ValueError, match="not JSON compliant"):
        drf_renderers.JSONRenderer().render({"x": float("nan")})


def test_the_api_renders_with_it():
    from rest_framework.settings import api_settings

    (renderer,) = api_settings.DEFAULT_RENDERER_CLASSES
    assert renderer is JSONRenderer
