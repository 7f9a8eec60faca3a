"""Signal receivers of the common plumbing, connected in ApiConfig.ready()."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from api.common.generations import rows_changed


@receiver(post_save, dispatch_uid="count-generation-save")
@receiver(post_delete, dispatch_uid="count-generation-delete")
def invalidate_cached_counts(sender, **kwargs) -> None:
    """Any save or delete makes cached counts and list pages of that model stale."""
    if sender._meta.app_label == "api":
        rows_changed(sender)
