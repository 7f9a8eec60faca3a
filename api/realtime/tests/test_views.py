"""Socket tickets are bounded per user, whatever THROTTLING_ENABLED says."""

import pytest
from django.core.cache import cache

from tests.factories import make_user

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/realtime/tickets/"


def test_tickets_past_the_rate_are_refused_with_429_and_retry_after(client_for, settings):
    settings.THROTTLING_ENABLED = False
    settings.REALTIME_TICKET_RATE = "3/min"
    cache.clear()
    flooder, neighbour = client_for(make_user()), client_for(make_user())

    answers = [flooder.post(TICKETS).status_code for _ in range(5)]
    refused = flooder.post(TICKETS)

    assert answers == [201, 201, 201, 429, 429]
    assert refused.json()["error"]["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0
    assert neighbour.post(TICKETS).status_code == 201
