"""TLS against a self-signed HTTPS + WSS simulator (issue 14): with verify_ssl on, both the REST
client and the WebSocket refuse the certificate with a clear error; with it off, everything
works."""

import asyncio
import json
from pathlib import Path

import pytest
from embymedia_core import EmbyClient, EmbySslError
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.embymedia.const import CONF_SSL, CONF_VERIFY_SSL
from emby_simulator import EmbySimulator, SimulatorConfig
from emby_simulator.tls import self_signed_context

from .probes import WaitUntil

pytestmark = pytest.mark.threaded_simulator
API_KEY = "test-api-key"


@pytest.fixture
def simulator_config(tmp_path: Path) -> SimulatorConfig:
    """HTTPS and WSS with a self-signed certificate (served on its own thread: the handshakes
    it fails, our client refusing its certificate, are logged by its loop, not by Home
    Assistant's)."""
    return SimulatorConfig(api_key=API_KEY, ssl_context=self_signed_context(tmp_path))


def _tls_entry(entry: MockConfigEntry, *, verify: bool) -> dict[str, object]:
    return {**entry.data, CONF_SSL: True, CONF_VERIFY_SSL: verify}


async def test_verify_on_refuses_the_self_signed_certificate(
    hass: HomeAssistant, simulator: EmbySimulator, mock_config_entry: MockConfigEntry
) -> None:
    """Setup waits with a translated TLS error; nothing was served to it."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, data=_tls_entry(mock_config_entry, verify=True)
    )
    assert not await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert mock_config_entry.reason is not None
    assert "secure connection" in mock_config_entry.reason.lower()
    assert "certificate" in mock_config_entry.reason.lower()
    assert not [r for r in simulator.request_log if r.path != "/embywebsocket"]


async def test_verify_on_refuses_the_websocket_too(simulator: EmbySimulator) -> None:
    """The WebSocket makes the same trust decision: it reports the TLS failure and retries."""
    client = EmbyClient(
        "127.0.0.1",
        simulator.port,
        API_KEY,
        ssl=True,
        verify_ssl=True,
        device_id="tls-test",
        timeout=5.0,
    )
    try:
        with pytest.raises(EmbySslError):
            await client.get_system_info()
        async with asyncio.timeout(30):
            async for batch in client.events():
                if any(e["type"] == "reconnecting" for e in batch):
                    break
        # A failed connect is not an event (only a reconnect wait is); its reason is kept in
        # the WebSocket statistics of the diagnostics.
        assert "TLS" in json.dumps(client.metrics())
        assert simulator.websocket_connections == 0
    finally:
        await client.close()


async def test_verify_off_works(
    hass: HomeAssistant,
    simulator: EmbySimulator,
    mock_config_entry: MockConfigEntry,
    wait_until: WaitUntil,
) -> None:
    """verify_ssl off: setup loads over HTTPS and the WebSocket connects over WSS."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, data=_tls_entry(mock_config_entry, verify=False)
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    runtime = mock_config_entry.runtime_data
    await wait_until(lambda: runtime.sessions.websocket_connected)
    assert simulator.websocket_connections >= 1
    assert runtime.sessions.data
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
