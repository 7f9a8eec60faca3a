"""The HR directory sync (docs/hr-sync.md): `hr_directory_sync()` and what it reports."""

from api.org.hr_sync.ledger import SyncCounts
from api.org.hr_sync.run import SuspiciousFeed, SyncResult, hr_directory_sync

__all__ = ["SuspiciousFeed", "SyncCounts", "SyncResult", "hr_directory_sync"]
