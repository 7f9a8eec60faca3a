"""Delivery of files to a Windows (SMB) share: the reports' destination.

Where to: an `SMBTarget`, given by the caller: the app builds it from its active SMB
configuration or, when there is none, from the SMB_* settings of the environment
(api/system/smb_target.py). This package knows no model.

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
from api.integrations.smb.target import CLIENTS, SMBTarget

__all__ = [
    "CLIENTS",
    "SMBDeliveryError",
    "SMBTarget",
    "close_pools",
    "list_names",
    "part_name",
    "pool_stats",
    "reachable",
    "read",
    "test_connection",
    "upload",
]
