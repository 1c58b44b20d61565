import pytest

from tests.documents.diagnostic_fixtures import diagnostic_dossier, stats  # noqa: F401
from tests.documents.fixtures import convention_data  # noqa: F401


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Generated files go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
