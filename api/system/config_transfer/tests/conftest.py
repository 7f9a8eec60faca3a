"""The fixture every config transfer test starts from."""

import pytest

from api.system.config_transfer.tests.helpers import configure


@pytest.fixture
def configured():
    """One environment's configuration, something of every kind."""
    configure()
