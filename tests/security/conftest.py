import pytest
from django.core.cache import cache


@pytest.fixture
def axes_on(settings):
    """The login protection on (the test settings switch it off): django-axes' lockout, and the
    per-account pause and the reset limits, whose counts (in the cache) start from nothing."""
    settings.AXES_ENABLED = True
    cache.clear()
    yield settings
    cache.clear()
