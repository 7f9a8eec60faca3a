"""The durable event log behind the WebSockets.

Every live event that matters (a task moved, a comment, a notification) is also a
row here, written in the same transaction as the change. Each stream ("board",
"task.12", "user.5") numbers its events 1, 2, 3... in commit order, so a client that
reconnects with the last number it saw gets exactly what it missed.

On PostgreSQL the number is assigned at COMMIT by a deferred constraint trigger
(migration 0003) holding one advisory lock: commits that carry events are numbered
one after another, in the order they become visible, and the lock is the last one a
transaction takes (no deadlock with the row locks services hold). On SQLite (the
embedded default, one writer at a time) the number is assigned at insert.
"""

from django.db import models


class RealtimeStream(models.Model):
    name = models.CharField(max_length=64, primary_key=True)
    last_sequence = models.BigIntegerField(default=0)
    # Highest sequence removed by retention: asking to resume from below it → resync.
    purged_through = models.BigIntegerField(default=0)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_sequence}"


class RealtimeEvent(models.Model):
    stream = models.CharField(max_length=64)
    sequence = models.BigIntegerField(null=True, blank=True)
    type = models.CharField(max_length=48)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("stream", "sequence")
        constraints = [
            models.UniqueConstraint(
                fields=["stream", "sequence"], name="realtime_event_unique_sequence"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stream}#{self.sequence} {self.type}"
