"""The catalogue's tests start from the configuration the config transfer tests use."""

import pytest

from api.system.config_transfer.tests.helpers import configure


@pytest.fixture
def configured():
    """One environment's configuration, something of every kind."""
    configure()
