"""Small read-only representations reused by many serializers (who, which department)."""

from rest_framework import serializers


class UserBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    full_name = serializers.CharField(source="get_full_name", read_only=True, allow_blank=True)


class DepartmentBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class EmployeeBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    employee_code = serializers.CharField(read_only=True)
    full_name = serializers.CharField(read_only=True, allow_blank=True)
    department = DepartmentBriefSerializer(read_only=True)


class ProjectBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
