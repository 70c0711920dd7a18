"""System health: per server, whether it answers, its version, the WebSocket and how many
requests the integration sent it in the last hour (from the core's metrics)."""

from collections import deque
from datetime import datetime, timedelta
from typing import Any, Final

from embymedia_core import EmbyError
from homeassistant.components import system_health
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN
from .coordinator import EmbyConfigEntry
from .options import EmbyOptions

# How often the request total is sampled; the hour's figure is exact to this.
SAMPLE_INTERVAL: Final = timedelta(minutes=5)
WINDOW: Final = timedelta(hours=1)
PING_TIMEOUT: Final = 5.0


def total_requests(entry: EmbyConfigEntry) -> int:
    """Requests sent to the server since the entry was loaded (every endpoint, errors too)."""
    api_calls = entry.runtime_data.client.metrics()["efficiency_metrics"]["api_calls"]
    return sum(stats["count"] for stats in api_calls.values())


class RequestHistory:
    """Samples of the request total, enough to tell the last hour's requests."""

    def __init__(self, entry: EmbyConfigEntry, now: datetime) -> None:
        """Start with the total now."""
        self.entry = entry
        self.samples: deque[tuple[datetime, int]] = deque([(now, total_requests(entry))])

    @callback
    def async_sample(self, now: datetime) -> None:
        """Record the total; forget samples no longer needed for the window."""
        self.samples.append((now, total_requests(self.entry)))
        while len(self.samples) > 1 and self.samples[1][0] <= now - WINDOW:
            self.samples.popleft()

    def last_hour(self, now: datetime) -> int:
        """Requests since the newest sample an hour old (since loading, in the first hour)."""
        baseline = self.samples[0][1]
        for when, total in self.samples:
            if when > now - WINDOW:
                break
            baseline = total
        return total_requests(self.entry) - baseline


REQUEST_HISTORY: HassKey[dict[str, RequestHistory]] = HassKey(f"{DOMAIN}_request_history")


@callback
def async_track_requests(hass: HomeAssistant, entry: EmbyConfigEntry, now: datetime) -> None:
    """Keep the request history of a loaded entry (dropped on unload)."""
    histories = hass.data.setdefault(REQUEST_HISTORY, {})
    history = histories[entry.entry_id] = RequestHistory(entry, now)
    entry.async_on_unload(async_track_time_interval(hass, history.async_sample, SAMPLE_INTERVAL))

    @callback
    def _forget() -> None:
        histories.pop(entry.entry_id, None)

    entry.async_on_unload(_forget)


@callback
def async_register(hass: HomeAssistant, register: system_health.SystemHealthRegistration) -> None:
    """Register the info callback."""
    register.async_register_info(system_health_info)


async def _reachable(entry: EmbyConfigEntry) -> bool | dict[str, str]:
    try:
        if await entry.runtime_data.client.ping(timeout=PING_TIMEOUT):
            return True
    except EmbyError:
        pass
    return {"type": "failed", "error": "unreachable"}


def _websocket_state(entry: EmbyConfigEntry) -> str:
    if not EmbyOptions.from_entry(entry).enable_websocket:
        return "disabled"
    websocket = entry.runtime_data.client.metrics()["efficiency_metrics"]["websocket"]
    if websocket["connected"]:
        return f"connected ({websocket['reconnections']} reconnections)"
    return f"disconnected ({websocket['last_error'] or 'not connected yet'})"


async def system_health_info(hass: HomeAssistant) -> dict[str, Any]:
    """One block of values for a single server; with several, each value names its server."""
    entries: list[EmbyConfigEntry] = [
        entry
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.state is ConfigEntryState.LOADED
    ]
    now = dt_util.utcnow()
    histories = hass.data.get(REQUEST_HISTORY, {})

    def requests(entry: EmbyConfigEntry) -> int:
        history = histories.get(entry.entry_id)
        return history.last_hour(now) if history else total_requests(entry)

    if len(entries) == 1:
        entry = entries[0]
        return {
            "server": entry.title,
            "server_reachable": _reachable(entry),
            "server_version": entry.runtime_data.server.data.info["version"],
            "websocket": _websocket_state(entry),
            "requests_last_hour": requests(entry),
        }
    info: dict[str, Any] = {"servers": len(entries)}
    for entry in entries:
        info[f"{entry.title} reachable"] = _reachable(entry)
        info[f"{entry.title} version"] = entry.runtime_data.server.data.info["version"]
        info[f"{entry.title} websocket"] = _websocket_state(entry)
        info[f"{entry.title} requests in the last hour"] = requests(entry)
    return info
