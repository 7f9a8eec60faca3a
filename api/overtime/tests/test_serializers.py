"""The hand-built list representation must say exactly what DRF would say."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers

from api.accounts.roles import Role
from api.overtime.models import OvertimeBreak
from api.overtime.selectors import overtime_requests_visible_to
from api.overtime.serializers import OvertimeRequestSerializer
from tests.factories import make_overtime, make_project, make_regulation, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("time_zone", ["UTC", "Asia/Jakarta"])
def test_fast_representation_equals_drf_rendering(settings, time_zone):
    settings.TIME_ZONE = time_zone
    admin = make_user(Role.SUPERADMIN)
    request = make_overtime(
        project=make_project(),
        regulation=make_regulation(),
        regulation_check={"limits": {"day": "4.00"}},
        status="rejected",
        rejected_by=admin,
        rejected_at=timezone.now(),
        rejection_reason="No budget",
        first_approved_by=admin,
        first_approved_at=timezone.now(),
        submitted_at=timezone.now(),
    )
    OvertimeBreak.objects.create(
        request=request,
        start_at=request.start_at + timedelta(minutes=20),
        end_at=request.start_at + timedelta(minutes=40),
        note="dinner",
    )
    bare = make_overtime()  # nulls everywhere they are allowed

    for row in overtime_requests_visible_to(user=admin).filter(pk__in=[request.pk, bare.pk]):
        serializer = OvertimeRequestSerializer(row)
        drf = serializers.ModelSerializer.to_representation(serializer, row)
        assert serializer.data == drf
        assert list(serializer.data) == list(OvertimeRequestSerializer.Meta.fields)


@pytest.mark.parametrize("time_zone", ["UTC", "Asia/Jakarta"])
def test_list_rows_equal_the_serializer_for_the_same_requests(client_for, settings, time_zone):
    settings.TIME_ZONE = time_zone
    admin = make_user(Role.SUPERADMIN)
    decided = make_overtime(
        project=make_project(),
        regulation=make_regulation(),
        regulation_check={"limits": {"day": "4.00"}},
        status="approved",
        first_approved_by=admin,
        first_approved_at=timezone.now(),
        second_approved_by=make_user(Role.SUPERADMIN, first_name="", last_name=""),
        second_approved_at=timezone.now(),
    )
    OvertimeBreak.objects.create(
        request=decided, start_at=decided.start_at, end_at=decided.start_at + timedelta(minutes=15)
    )
    make_overtime()

    listed = client_for(admin).get("/api/v1/overtime-requests/").json()["results"]

    expected = {
        row.pk: OvertimeRequestSerializer(row).data
        for row in overtime_requests_visible_to(user=admin)
    }
    assert len(listed) == 2
    for row in listed:
        assert row == expected[row["id"]]
