import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test writes its reports to its own directory (report ids repeat between tests)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
