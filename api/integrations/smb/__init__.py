"""Delivery of files to a Windows (SMB) share: the reports' destination.

Where to: the active `SMBConfiguration` row (set up in the app) or, when there is none,
the SMB_* settings from the environment (`active_target()`).

Two client libraries, chosen per target (`client`): `pysmb` (pure Python, SMB 2.0.2,
pooled connections; see pysmb_client.py) and `smbprotocol` (SMB 3.1.1, signing and
encryption; see smbprotocol_client.py). How a file is written so that no reader sees
half of it is in delivery.py. Everything that goes wrong ends up as `SMBDeliveryError`,
whose message is fit to show to the user (errors.py).
"""

from api.integrations.smb.delivery import (
    close_pools,
    list_names,
    part_name,
    pool_stats,
    reachable,
    read,
    test_connection,
    upload,
)
from api.integrations.smb.errors import SMBDeliveryError
from api.integrations.smb.target import CLIENTS, SMBTarget, active_target

__all__ = [
    "CLIENTS",
    "SMBDeliveryError",
    "SMBTarget",
    "active_target",
    "close_pools",
    "list_names",
    "part_name",
    "pool_stats",
    "reachable",
    "read",
    "test_connection",
    "upload",
]
