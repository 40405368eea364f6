"""Every app's tests run: pytest's testpaths (pyproject.toml) name each folder that holds a tests package."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_folder_with_tests_is_in_testpaths() -> None:
    configured = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["testpaths"]
    with_tests = {path.parent.parent.name for path in ROOT.glob("*/tests/__init__.py")} | {"tests"}
    assert with_tests - set(configured) == set()
