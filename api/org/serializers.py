"""Shapes of departments, employees and projects.

Each resource reads through one serializer (nested briefs for related rows) and is
written through another (related rows by id): clients send `"parent": 3` and read
`"parent": {"id": 3, "code": "PTB", ...}`. `external_id` and `synced_at` belong to
the HR sync and are read-only here.
"""

from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from api.common.fields import BlankableText, DepartmentBriefSerializer, EmployeeBriefSerializer
from api.common.serializers import ModelSerializer
from api.org.models import Department, Employee, Project


class CodeField(serializers.CharField):
    """Codes are identifiers people type: ' eng' and 'ENG' are the same department."""

    def to_internal_value(self, data) -> str:
        return super().to_internal_value(data).upper()


# ----------------------------------------------------------------------- departments


class DepartmentSerializer(ModelSerializer):
    parent = DepartmentBriefSerializer(read_only=True, allow_null=True)
    manager = EmployeeBriefSerializer(read_only=True, allow_null=True)
    employee_count = serializers.IntegerField(
        read_only=True, help_text="Active employees of this department (not of its sub-units)."
    )

    class Meta:
        model = Department
        fields = (
            "id",
            "code",
            "name",
            "parent",
            "manager",
            "is_active",
            "external_id",
            "synced_at",
            "employee_count",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class DepartmentWriteSerializer(ModelSerializer):
    code = CodeField(
        max_length=32,
        validators=[
            UniqueValidator(Department.objects.all(), message="A department has this code.")
        ],
    )

    class Meta:
        model = Department
        fields = ("code", "name", "parent", "manager", "is_active")


# ----------------------------------------------------------------------- employees


class EmployeeSerializer(ModelSerializer):
    full_name = serializers.CharField(read_only=True)
    last_name = BlankableText()
    email = BlankableText()
    position = BlankableText()
    department = DepartmentBriefSerializer(read_only=True)
    user = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Employee
        fields = (
            "id",
            "employee_code",
            "first_name",
            "last_name",
            "full_name",
            "email",
            "department",
            "position",
            "is_active",
            "user",
            "external_id",
            "synced_at",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class EmployeeWriteSerializer(ModelSerializer):
    class Meta:
        model = Employee
        fields = (
            "employee_code",
            "first_name",
            "last_name",
            "email",
            "department",
            "position",
            "is_active",
            "user",
        )
        extra_kwargs = {
            "user": {"help_text": "Login account of this person (superadmins only)."},
        }


# ----------------------------------------------------------------------- projects


class ProjectSerializer(ModelSerializer):
    description = BlankableText()
    department = DepartmentBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Project
        fields = (
            "id",
            "code",
            "name",
            "description",
            "department",
            "is_active",
            "start_date",
            "end_date",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class ProjectWriteSerializer(ModelSerializer):
    code = CodeField(
        max_length=32,
        validators=[UniqueValidator(Project.objects.all(), message="A project has this code.")],
    )

    class Meta:
        model = Project
        fields = (
            "code",
            "name",
            "description",
            "department",
            "is_active",
            "start_date",
            "end_date",
        )
        extra_kwargs = {
            "department": {"help_text": "Empty for a company-wide project (superadmins only)."},
        }

    def validate(self, attrs: dict) -> dict:
        # On PATCH the date not sent is the stored one.
        stored = self.instance
        start = attrs.get("start_date", stored.start_date if stored else None)
        end = attrs.get("end_date", stored.end_date if stored else None)
        if start and end and end < start:
            raise serializers.ValidationError({"end_date": ["Must not be before start_date."]})
        return attrs
