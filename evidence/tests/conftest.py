"""The assessment cast (a draft of city A) plus: uploads stored in a temporary folder, and small real files."""

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def media_root(settings: object, tmp_path: Path) -> Path:
    """Every test stores uploads in a folder of its own, so files left behind can be counted."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root  # type: ignore[attr-defined]
    return root
