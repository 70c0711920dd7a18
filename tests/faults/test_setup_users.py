"""Defect 4 of issue 14: the user list requested during setup fails like every other setup
request does: a 5xx, a timeout or an unusable body means "retry later" (and the retry loads),
a 401 starts reauthentication.

Seen failing before the fix: the `get_users` error escaped async_setup_entry, the entry ended in
SETUP_ERROR (never retried) and a 401 started no reauth flow.
"""

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.embymedia.const import DOMAIN
from emby_simulator import EmbySimulator, Fault

type WaitUntil = Callable[..., Awaitable[None]]

USERS = ("/Users",)


@pytest.mark.parametrize(
    "fault",
    [
        Fault(force_status=503, paths=USERS),
        Fault(force_status=500, html_error=True, paths=USERS),
        Fault(malformed_json=True, paths=USERS),
        Fault(latency=1.5, paths=USERS),
    ],
    ids=["503", "html-500", "truncated-json", "timeout"],
)
async def test_users_failure_at_setup_is_retried(  # noqa: PLR0917
    hass: HomeAssistant,
    simulator: EmbySimulator,
    mock_config_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
    wait_until: WaitUntil,
    fault: Fault,
) -> None:
    """The entry waits in SETUP_RETRY, then loads once the server answers again."""
    if fault.latency:
        # Only the timeout case waits on a short timeout (a loaded machine would time out the
        # other requests of setup too).
        monkeypatch.setattr("custom_components.embymedia.options.REQUEST_TIMEOUT", 0.5)
    mock_config_entry.add_to_hass(hass)
    simulator.set_fault(fault)
    assert not await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert mock_config_entry.reason is not None
    assert "/Users" in mock_config_entry.reason or fault.latency
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)

    simulator.set_fault(None)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=5))
    await wait_until(lambda: mock_config_entry.state is ConfigEntryState.LOADED)
    assert mock_config_entry.runtime_data.discovery
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)


async def test_users_401_at_setup_starts_reauth(
    hass: HomeAssistant, simulator: EmbySimulator, mock_config_entry: MockConfigEntry
) -> None:
    """A key that /System/Info accepts but /Users refuses (revoked in between): reauth."""
    mock_config_entry.add_to_hass(hass)
    simulator.set_fault(Fault(force_status=401, paths=USERS))
    assert not await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
