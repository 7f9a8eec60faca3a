"""Periodic upkeep of the real-time log (scheduled in backend/celery.py)."""

import logging

from celery import shared_task

from api.realtime.services import realtime_events_purge

logger = logging.getLogger("api.realtime")


@shared_task(name="realtime.purge_events")
def purge_realtime_events() -> int:
    removed = realtime_events_purge()
    logger.info("realtime retention removed %d events", removed)
    return removed
