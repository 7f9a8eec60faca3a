"""Datetimes carry their offset: every writable datetime of every API serializer
refuses one without, and answers are ISO 8601 with the offset."""

import importlib
import inspect
import pkgutil

import pytest
from rest_framework import serializers

import api
from api.common.serializers import OffsetDateTimeField


def _serializer_classes():
    for module_info in pkgutil.walk_packages(api.__path__, "api."):
        if not module_info.name.endswith("serializers") or ".tests" in module_info.name:
            continue
        module = importlib.import_module(module_info.name)
        for cls in vars(module).values():
            if (
                inspect.isclass(cls)
                and issubclass(cls, serializers.Serializer)
                and cls.__module__ == module.__name__
                and (not issubclass(cls, serializers.ModelSerializer) or hasattr(cls, "Meta"))
            ):
                yield cls


def _writable_datetimes(serializer, path):
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.ListSerializer):
            field = field.child
        if isinstance(field, serializers.Serializer):
            yield from _writable_datetimes(field, f"{path}.{name}")
        elif isinstance(field, serializers.DateTimeField) and not field.read_only:
            yield f"{path}.{name}", field


def test_every_writable_datetime_of_the_api_needs_an_offset():
    found = {
        path: type(field).__name__
        for cls in _serializer_classes()
        for path, field in _writable_datetimes(cls(), f"{cls.__module__}.{cls.__name__}")
    }

    assert "api.overtime.serializers.OvertimeRequestWriteSerializer.start_at" in found
    assert "api.calendar.serializers.CalendarEventWriteSerializer.start_at" in found
    assert {path for path, kind in found.items() if kind != "OffsetDateTimeField"} == set()


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("2026-11-16T18:00:00+07:00", "2026-11-16T18:00:00+07:00"),
        ("2026-11-16T11:00:00Z", "2026-11-16T18:00:00+07:00"),
        ("2026-11-16T12:00:00+08:00", "2026-11-16T11:00:00+07:00"),
    ],
)
def test_a_moment_with_an_offset_is_read_and_answered_with_one(settings, text, answer):
    settings.TIME_ZONE = "Asia/Jakarta"
    field = OffsetDateTimeField()

    assert field.to_representation(field.to_internal_value(text)) == answer


@pytest.mark.parametrize("text", ["2026-11-16T18:00:00", "2026-11-16 18:00"])
def test_a_datetime_without_an_offset_is_refused(text):
    with pytest.raises(serializers.ValidationError) as refused:
        OffsetDateTimeField().to_internal_value(text)

    assert refused.value.detail[0].code == "naive"
