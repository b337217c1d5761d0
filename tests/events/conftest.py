import pytest

from . import consumers


@pytest.fixture
def two_consumers():
    """The healthy and the flaky test consumer, registered for this test only."""
    consumers.register()
    yield consumers
    consumers.unregister()
