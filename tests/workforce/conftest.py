import pytest
from django.conf import settings

from organizations import seed as organizations_seed
from organizations.seeding import SeedLoader
from workforce import seed as workforce_seed


@pytest.fixture
def seeded(db):
    """The organisations and workforce seed data (other apps' seeds are not needed here)."""
    loader = SeedLoader(settings.SEED_DATA_DIR)
    organizations_seed.load(loader)
    workforce_seed.load(loader)
    return loader
