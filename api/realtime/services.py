"""Writes on the event log that are not events: retention."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from api.realtime.models import RealtimeEvent, RealtimeStream


def realtime_events_purge(*, now: datetime | None = None) -> int:
    """Removes events older than REALTIME_EVENT_RETENTION_HOURS, then the oldest
    beyond REALTIME_EVENTS_MAX_ROWS (a busy day must not grow the table without end
    inside the time window); returns how many went.

    Per stream, everything up to the newest removed sequence goes, so the kept part
    of a stream stays contiguous, and `purged_through` tells a client resuming from
    further back that it must resync instead of getting a history with holes.
    """
    cutoff = (now or timezone.now()) - timedelta(hours=settings.REALTIME_EVENT_RETENTION_HOURS)
    committed = RealtimeEvent.objects.filter(sequence__isnull=False)
    removed = _purge_through(committed.filter(created_at__lt=cutoff))
    newest_kept = (
        committed.order_by("-pk").values_list("pk", flat=True)[
            settings.REALTIME_EVENTS_MAX_ROWS : settings.REALTIME_EVENTS_MAX_ROWS + 1
        ]
    ).first()
    if newest_kept is not None:
        removed += _purge_through(committed.filter(pk__lte=newest_kept))
    return removed


def _purge_through(expired: QuerySet[RealtimeEvent]) -> int:
    """Per stream of `expired`, removes everything up to its highest sequence there."""
    removed = 0
    for row in expired.values("stream").annotate(through=Max("sequence")).order_by():
        with transaction.atomic():
            RealtimeStream.objects.filter(
                name=row["stream"], purged_through__lt=row["through"]
            ).update(purged_through=row["through"])
            removed += RealtimeEvent.objects.filter(
                stream=row["stream"], sequence__lte=row["through"]
            ).delete()[0]
    return removed
