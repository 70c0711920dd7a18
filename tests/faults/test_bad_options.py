"""Options stored by an older version or edited by hand (issue 14, bad input): out of range,
of the wrong type, not a number at all. Setup still loads, each bad value is clamped or
replaced by its default with one warning, and nothing raises.

Seen failing before the fix: "abc" and NaN raised ValueError out of setup (a traceback, the
entry in SETUP_ERROR), 0 s polled sessions in a loop, 10**12 hours overflowed timedelta.
"""

import logging
import math
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.embymedia.const import (
    CONF_IGNORED_DEVICES,
    CONF_LIBRARY_SCAN_INTERVAL,
    CONF_PURGE_AFTER_DAYS,
    CONF_SCAN_INTERVAL,
    CONF_SERVER_SCAN_INTERVAL,
    CONF_WEBSOCKET_INTERVAL,
)
from custom_components.embymedia.options import NUMBER_OPTIONS
from emby_simulator import EmbySimulator

BAD_VALUES: list[Any] = [0, -5, 10**12, "abc", None, math.nan, math.inf, "30", 7.9, [1], True]


@pytest.mark.parametrize("value", BAD_VALUES, ids=[repr(v) for v in BAD_VALUES])
async def test_bad_number_options_load_clamped(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    value: Any,
) -> None:
    """Every numeric option set to the bad value at once: the entry loads with values in range."""
    options = dict.fromkeys(
        (
            CONF_SCAN_INTERVAL,
            CONF_WEBSOCKET_INTERVAL,
            CONF_LIBRARY_SCAN_INTERVAL,
            CONF_SERVER_SCAN_INTERVAL,
            CONF_PURGE_AFTER_DAYS,
        ),
        value,
    )
    options[CONF_IGNORED_DEVICES] = value
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(mock_config_entry, options=options)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    runtime = mock_config_entry.runtime_data
    scan = NUMBER_OPTIONS[0]
    interval = runtime.sessions.scan_interval.total_seconds()
    assert scan.minimum <= interval <= scan.maximum
    assert runtime.sessions.purge_after_days >= 0
    assert all(isinstance(d, str) for d in runtime.sessions.ignored_devices)
    assert not [r for r in caplog.records if r.exc_info and r.levelno >= logging.WARNING]
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
