"""Diagnostics: redacted, complete, and with the core's metrics really recorded."""

import json
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.amber import AmberSnapshotExtension
from syrupy.filters import props

from custom_components.embymedia.const import DOMAIN
from emby_simulator import EmbySimulator

# Values that differ between runs (ids, ports, times, counters measured on real sockets).
VOLATILE = props(
    "entry_id",
    "created_at",
    "modified_at",
    "unique_id",
    "id",
    "port",
    "http_server_port_number",
    "cache_stats",
    "efficiency_metrics",
    "session_pushes",
    "session_polls",
    "last_seen",
)


async def assert_no_secrets(
    diagnostics: Any, simulator: EmbySimulator, entry: MockConfigEntry
) -> None:
    """Neither the key, nor the address, nor a user name appears."""
    text = json.dumps(diagnostics)
    assert simulator.api_key not in text
    assert "127.0.0.1" not in text
    users = await entry.runtime_data.client.get_users()
    assert users
    for user in users:
        assert f'"{user["name"]}"' not in text


def shape(value: Any) -> Any:
    """The keys of nested dicts (the structure a snapshot can pin while numbers vary)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in sorted(value.items())}
    return type(value).__name__


async def test_entry_diagnostics(
    hass: HomeAssistant,
    *,
    hass_client: ClientSessionGenerator,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    wait_until: Any,
    snapshot: SnapshotAssertion,
) -> None:
    """Entry, server, connection, sessions, cache stats and efficiency metrics."""
    runtime = init_integration.runtime_data
    await wait_until(
        lambda: runtime.sessions.websocket_connected and runtime.sessions.push_count > 0
    )
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    await assert_no_secrets(diagnostics, simulator, init_integration)
    assert diagnostics["entry"]["data"]["api_key"] == "**REDACTED**"
    assert diagnostics["entry"]["data"]["host"] == "**REDACTED**"

    connection = diagnostics["connection"]
    assert connection["websocket_enabled"] is True
    assert connection["websocket_connected"] is True

    metrics = diagnostics["efficiency_metrics"]
    assert metrics["websocket"]["connected"] is True
    assert metrics["websocket"]["messages_received"] > 0
    for name in ("sessions", "server", "library", "discovery"):
        assert metrics["coordinators"][name]["updates"] > 0, name
    assert any(stats["count"] > 0 for stats in metrics["api_calls"].values())
    cache = diagnostics["cache_stats"]
    assert cache["misses"] + cache["hits"] > 0

    # Plain syrupy files: HA's own snapshot extension moved its directory between releases.
    snapshot = snapshot.use_extension(AmberSnapshotExtension)
    assert diagnostics == snapshot(exclude=VOLATILE)
    assert shape(metrics) == snapshot(name="efficiency_metrics_shape")


async def test_device_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: EmbySimulator,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """A client device: its session summary, redacted."""
    sessions = init_integration.runtime_data.sessions
    device_id = sorted(sessions.data)[0]
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=init_integration.entry_id, identifiers={(DOMAIN, device_id)}
    )
    diagnostics = await get_diagnostics_for_device(hass, hass_client, init_integration, device)
    await assert_no_secrets(diagnostics, simulator, init_integration)
    assert diagnostics["device_id"] == device_id
    assert diagnostics["connected"] is True
    assert diagnostics["session"]["user_name"] in (None, "**REDACTED**")
    assert diagnostics == snapshot.use_extension(AmberSnapshotExtension)(exclude=VOLATILE)
