"""The base serializers every resource uses, and shapes that document error responses.

Input is strict: a key the serializer does not read is a 400 naming it
(`{"note": ["Unknown field."]}`), and so is a read-only one (`{"status":
["Read-only field."]}`) — a client that sends either believes something the server
will not do, and silently dropping the key would hide that. Nested objects (an
overtime request's `breaks`, a card's children) are checked the same way, with their
errors named by path (`breaks.0.colour`). Every serializer under api/ derives from
`Serializer` or `ModelSerializer` here (or mixes in `StrictInputMixin`).
"""

from collections.abc import Mapping

from django.db import models
from django.utils import timezone
from rest_framework import serializers

UNKNOWN_FIELD = "Unknown field."
READ_ONLY_FIELD = "Read-only field."


class StrictInputMixin:
    """Refuses, before any other validation, the keys of the input this serializer
    does not write: unknown ones and read-only ones alike, every one named."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            errors = {}
            for key in data:
                field = self.fields.get(key)
                if field is None or isinstance(field, serializers.HiddenField):
                    errors[key] = [UNKNOWN_FIELD]
                elif field.read_only:
                    errors[key] = [READ_ONLY_FIELD]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class OffsetDateTimeField(serializers.DateTimeField):
    """A moment: ISO 8601 with its UTC offset (or Z), in and out.

    A datetime without an offset names no moment (18:00 where?); DRF would read it in
    the server's zone, so a client in another zone books the wrong hours without a
    word. It is refused instead, naming the field.
    """

    default_error_messages = {
        "naive": "Give the time with its UTC offset, e.g. 2026-11-16T18:00:00+07:00."
    }

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


# For ModelSerializers: a model DateTimeField becomes an OffsetDateTimeField (set as
# `serializer_field_mapping`), so fields derived from the model refuse naive input too.
OFFSET_DATETIME_MAPPING = {
    **serializers.ModelSerializer.serializer_field_mapping,
    models.DateTimeField: OffsetDateTimeField,
}


class Serializer(StrictInputMixin, serializers.Serializer):
    pass


class ModelSerializer(StrictInputMixin, serializers.ModelSerializer):
    # Datetimes derived from the model refuse naive input too.
    serializer_field_mapping = OFFSET_DATETIME_MAPPING


class ErrorDetailSerializer(Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
    request_id = serializers.CharField(allow_null=True)


class ErrorResponseSerializer(Serializer):
    error = ErrorDetailSerializer()


class DetailSerializer(Serializer):
    detail = serializers.CharField()
