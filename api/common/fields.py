"""Small read-only representations many serializers share (who, which department).

The briefs' OpenAPI definitions are shared by every use, some of which may be null
(an unassigned approver, a project-less request), so each is declared nullable once:
a definition's nullability must not depend on which use happened to register it.
"""

from functools import partial

from rest_framework import serializers

from api.common.serializers import Serializer

# Read-only text that may be empty (notes, optional names): DRF forgets `allow_blank`
# on read-only fields; declaring it keeps the intent visible next to the field.
BlankableText = partial(serializers.CharField, read_only=True, allow_blank=True)


class UserBriefSerializer(Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    full_name = serializers.CharField(source="get_full_name", read_only=True, allow_blank=True)

    class Meta:
        swagger_schema_fields = {"x-nullable": True}


class DepartmentBriefSerializer(Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)

    class Meta:
        swagger_schema_fields = {"x-nullable": True}


class EmployeeBriefSerializer(Serializer):
    id = serializers.IntegerField(read_only=True)
    employee_code = serializers.CharField(read_only=True)
    full_name = serializers.CharField(read_only=True, allow_blank=True)
    department = DepartmentBriefSerializer(read_only=True)

    class Meta:
        swagger_schema_fields = {"x-nullable": True}


class ProjectBriefSerializer(Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)

    class Meta:
        swagger_schema_fields = {"x-nullable": True}
