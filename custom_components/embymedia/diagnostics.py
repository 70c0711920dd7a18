"""Diagnostics: the entry (redacted), server, connection, sessions and the core's metrics."""

from typing import TYPE_CHECKING, Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from .const import CONF_API_KEY, CONF_HOST, DOMAIN
from .coordinator import EmbyConfigEntry, EmbyCoordinator
from .options import EmbyOptions

if TYPE_CHECKING:
    from embymedia_core import Session

# Secrets and personal data: the key, where the server and its clients live, who watches.
TO_REDACT = {
    CONF_API_KEY,
    CONF_HOST,
    "local_address",
    "wan_address",
    "remote_end_point",
    "user_name",
    "user_names",
}


def _session_summary(session: Session) -> dict[str, Any]:
    """What matters to debug a client, without what it plays in detail."""
    item = session.now_playing_item
    play_state = session.play_state
    return {
        "device_name": session.device_name,
        "client": session.client,
        "application_version": session.application_version,
        "supports_remote_control": session.supports_remote_control,
        "playable_media_types": session.playable_media_types,
        "supported_commands": session.supported_commands,
        "user_name": session.user_name,
        "remote_end_point": session.remote_end_point,
        "playing": None if item is None else {"type": item.type, "media_type": item.media_type},
        "is_paused": play_state.is_paused,
        "can_seek": play_state.can_seek,
    }


def _coordinator_summary(coordinator: EmbyCoordinator[Any]) -> dict[str, Any]:
    interval = coordinator.update_interval
    return {
        "last_update_success": coordinator.last_update_success,
        "update_interval_s": None if interval is None else interval.total_seconds(),
    }


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: EmbyConfigEntry
) -> dict[str, Any]:
    """Diagnostics of a config entry."""
    runtime = entry.runtime_data
    sessions = runtime.sessions
    server_info = runtime.server.data.info if runtime.server.data else runtime.server_info
    metrics = runtime.client.metrics()
    return async_redact_data(
        {
            "entry": entry.as_dict(),
            "server": dict(server_info),
            "connection": {
                "websocket_enabled": EmbyOptions.from_entry(entry).enable_websocket,
                "websocket_connected": sessions.websocket_connected,
                "session_pushes": sessions.push_count,
                "session_polls": sessions.poll_count,
            },
            "coordinators": {
                "sessions": _coordinator_summary(sessions),
                "library": _coordinator_summary(runtime.library),
                "server": _coordinator_summary(runtime.server),
                "discovery": {
                    user_id: _coordinator_summary(coordinator)
                    for user_id, coordinator in runtime.discovery.items()
                },
            },
            "sessions": {
                "count": len(sessions.data or {}),
                "known_devices": len(sessions.known_devices),
                "excluded_devices": sorted(sessions.excluded_devices),
                "ignored_devices": sorted(sessions.ignored_devices),
                "clients": {
                    device_id: _session_summary(session)
                    for device_id, session in sorted((sessions.data or {}).items())
                },
            },
            "library": None
            if runtime.library.data is None
            else {
                "folders": len(runtime.library.data.folders),
                "counts": dict(runtime.library.data.counts),
            },
            "cache_stats": metrics["cache_stats"],
            "efficiency_metrics": metrics["efficiency_metrics"],
        },
        TO_REDACT,
    )


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: EmbyConfigEntry, device: dr.DeviceEntry
) -> dict[str, Any]:
    """Diagnostics of one client device (or of the server device)."""
    sessions = entry.runtime_data.sessions
    device_id = next((key for domain, key in device.identifiers if domain == DOMAIN), None)
    if device_id == sessions.server_id:
        return await async_get_config_entry_diagnostics(hass, entry)
    session = (sessions.data or {}).get(device_id or "")
    last_seen = sessions.last_seen.get(device_id or "")
    return async_redact_data(
        {
            "device_id": device_id,
            "name": sessions.known_devices.get(device_id or ""),
            "connected": session is not None,
            "ignored": device_id in sessions.ignored_devices,
            "last_seen": None if last_seen is None else last_seen.isoformat(),
            "session": None if session is None else _session_summary(session),
        },
        TO_REDACT,
    )
