"""Writes on the event log that are not events: retention."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from api.realtime.models import RealtimeEvent, RealtimeStream


def realtime_events_purge(*, now: datetime | None = None) -> int:
    """Removes events older than REALTIME_EVENT_RETENTION_HOURS; returns how many.

    Per stream, everything up to the newest expired sequence goes, so the kept part
    of a stream stays contiguous, and `purged_through` tells a client resuming from
    further back that it must resync instead of getting a history with holes.
    """
    cutoff = (now or timezone.now()) - timedelta(hours=settings.REALTIME_EVENT_RETENTION_HOURS)
    expired = (
        RealtimeEvent.objects.filter(created_at__lt=cutoff, sequence__isnull=False)
        .values("stream")
        .annotate(through=Max("sequence"))
    )
    removed = 0
    for row in expired:
        with transaction.atomic():
            RealtimeStream.objects.filter(
                name=row["stream"], purged_through__lt=row["through"]
            ).update(purged_through=row["through"])
            removed += RealtimeEvent.objects.filter(
                stream=row["stream"], sequence__lte=row["through"]
            ).delete()[0]
    return removed
