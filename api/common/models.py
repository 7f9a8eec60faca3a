from django.db import models


class TimestampedModel(models.Model):
    """Creation and last-change times for every row (stored UTC, aware)."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
