"""Configuration that moves between environments (staging -> production, an old
server -> a new one): `manage.py config_export` writes it as JSON, `manage.py
config_import` applies such a file (`--dry-run`: only says what it would do).

What moves: system configuration, overtime regulations, per-user permission
overrides, the board's columns and SMB configurations — never a password or other
secret. Objects are matched by natural keys, never by database ids (those differ
between environments):

    system_configuration   key
    overtime_regulations   name, scope, department (by code)
    permission_overrides   user (by username), resource, action
    board_columns          name
    smb_configurations     name

Each model's fields are read from its `_meta`, so a field added to a model moves
without a change here; only ids, automatic timestamps, secrets and the few fields
that describe one environment rather than its configuration (who last edited an
entry, who granted an override, the last connection test) stay behind. Foreign keys
are written as the natural key of the row they point at.

An import creates and updates, never deletes: objects only the target has are left
alone (board columns only the target has move behind the imported ones). It is one
transaction: a problem anywhere — a malformed file, an unknown department or user, a
value the model refuses — changes nothing, and every problem is reported at once. An
SMB configuration without a password in the file keeps the password it has; one
that has none and needs one (it names a user) is imported inactive, and the report
says that a password must be set. A file may carry a `password` for an SMB
configuration (the export never writes one); it is stored encrypted and never shown.

The package: `values` turns a model field into the file's value and back, `sections`
plans one kind of object, `document` reads and writes the file, `export` and
`importer` are the two commands' work. Which kinds move, and the rules of some, is
api/management/config_catalogue.py: it names models of every domain, so it sits with
the commands, which pass its `SECTIONS` in.
"""

from api.system.config_transfer.document import FORMAT, dump_config, load_document
from api.system.config_transfer.export import export_config
from api.system.config_transfer.importer import ImportPlan, import_config, plan_import
from api.system.config_transfer.sections import ObjectChange, Section
from api.system.config_transfer.values import ConfigTransferError

__all__ = [
    "FORMAT",
    "ConfigTransferError",
    "ImportPlan",
    "ObjectChange",
    "Section",
    "dump_config",
    "export_config",
    "import_config",
    "load_document",
    "plan_import",
]
