"""Fixtures of the binding tests: no Home Assistant instance is needed here."""

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override of the top-level fixture: these tests load no integration."""
