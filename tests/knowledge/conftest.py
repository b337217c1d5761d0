import pytest


@pytest.fixture
def base(community) -> str:
    """The API root of the community the knowledge tests use."""
    return f"/api/v1/communities/{community.slug}"
