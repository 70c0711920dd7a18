"""Tests of the repository's release files (versions, manifest, translations, brand images,
workflows, docs): they read files and need no Home Assistant instance."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
INTEGRATION = ROOT / "custom_components" / "embymedia"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Replaces the suite's autouse fixture: nothing here starts Home Assistant."""


def load_script_module(name: str) -> ModuleType:
    """A module of scripts/lib (not a package: the scripts run it by path)."""
    path = ROOT / "scripts" / "lib" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"scripts_lib_{name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
