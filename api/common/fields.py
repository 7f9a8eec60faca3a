"""Fields every serializer shares: datetimes that carry their offset, and small
read-only representations reused by many serializers (who, which department).

The briefs' OpenAPI definitions are shared by every use, some of which may be null
(an unassigned approver, a project-less request), so each is declared nullable once:
a definition's nullability must not depend on which use happened to register it.
"""

from functools import partial

from django.db import models
from django.utils import timezone
from rest_framework import serializers


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

# Read-only text that may be empty (notes, optional names): DRF forgets `allow_blank`
# on read-only fields; declaring it keeps the intent visible next to the field.
BlankableText = partial(serializers.CharField, read_only=True, allow_blank=True)


class UserBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    full_name = serializers.CharField(source="get_full_name", read_only=True, allow_blank=True)

    class Meta:
        swagger_schema_fields = {"x-nullable": True}


class DepartmentBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)

    class Meta:
        swagger_schema_fields = {"x-nullable": True}


class EmployeeBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    employee_code = serializers.CharField(read_only=True)
    full_name = serializers.CharField(read_only=True, allow_blank=True)
    department = DepartmentBriefSerializer(read_only=True)

    class Meta:
        swagger_schema_fields = {"x-nullable": True}


class ProjectBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)

    class Meta:
        swagger_schema_fields = {"x-nullable": True}
