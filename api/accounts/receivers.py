"""Signal receivers of the accounts domain, connected in ApiConfig.ready(): the
cached permission overrides follow their rows. What the user's sockets hear when
permissions change or sessions end is in api/realtime/account_events.py."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from api.accounts.models import UserPermissionOverride
from api.accounts.permissions import (
    forget_user_overrides,
)


@receiver(post_save, sender=UserPermissionOverride, dispatch_uid="overrides-cache-save")
@receiver(post_delete, sender=UserPermissionOverride, dispatch_uid="overrides-cache-delete")
def drop_cached_overrides(sender, instance, **kwargs) -> None:
    # Now, and again after commit: a request reading in between must not re-cache
    # the rows this transaction is about to replace.
    forget_user_overrides(instance.user_id)
    transaction.on_commit(lambda: forget_user_overrides(instance.user_id))
