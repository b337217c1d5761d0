import pytest


@pytest.fixture(autouse=True)
def _export_root(settings, tmp_path):
    """Every test writes its archives to a directory of its own."""
    settings.EXPORT_ROOT = tmp_path / "exports"
    return settings.EXPORT_ROOT
