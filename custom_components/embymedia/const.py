"""Constants of the Emby Media integration."""

import logging
from datetime import timedelta
from typing import Final

from homeassistant.const import (  # re-exported: the configuration keys are Home Assistant's own
    CONF_API_KEY,
    CONF_HOST,
    CONF_PORT,
    CONF_SSL,
    CONF_VERIFY_SSL,
)

__all__ = [
    "CONF_API_KEY",
    "CONF_HOST",
    "CONF_PORT",
    "CONF_SSL",
    "CONF_VERIFY_SSL",
]

DOMAIN: Final = "embymedia"
LOGGER = logging.getLogger(__package__)

MANUFACTURER: Final = "Emby"
DEFAULT_NAME: Final = "Emby"
DEFAULT_PORT: Final = 8096
DEFAULT_SSL: Final = False
DEFAULT_VERIFY_SSL: Final = True

# The oldest Emby server the integration supports (older ones answer differently on the WebSocket).
MIN_SERVER_VERSION: Final = (4, 8)

# Identity the core sends to Emby (the device id itself is derived from the HA instance id).
CLIENT_NAME: Final = "Home Assistant"
CLIENT_VERSION: Final = "0.1.0"
DEVICE_ID_PREFIX: Final = "homeassistant-embymedia-"

# Entry data: the Emby user the entry works for; None or "" means all users.
CONF_USER_ID: Final = "user_id"

# Options (every one has an effect; defaults and ranges in options.py).
CONF_SCAN_INTERVAL: Final = "scan_interval"  # session poll, seconds
CONF_ENABLE_WEBSOCKET: Final = "enable_websocket"
CONF_WEBSOCKET_INTERVAL: Final = "websocket_interval"  # SessionsStart throttle, milliseconds
CONF_LIBRARY_SCAN_INTERVAL: Final = "library_scan_interval"  # hours
CONF_SERVER_SCAN_INTERVAL: Final = "server_scan_interval"  # minutes
CONF_ENABLE_DISCOVERY_SENSORS: Final = "enable_discovery_sensors"
CONF_IGNORED_DEVICES: Final = "ignored_devices"  # list of Emby device ids
CONF_IGNORE_WEB_PLAYERS: Final = "ignore_web_players"
CONF_PURGE_AFTER_DAYS: Final = "purge_after_days"  # 0 = never
# Media source playback (issue 10): the most a stream may carry, in Mbit/s (0 = the server's
# limit), and the video containers players take as they are (others are remuxed or transcoded).
CONF_MAX_STREAMING_BITRATE: Final = "max_streaming_bitrate"
CONF_VIDEO_CONTAINERS: Final = "video_containers"

# With the WebSocket up, the session coordinator's timer runs every minute but sends a request
# only when no push came for 30 minutes: Emby pushes Sessions on every state change and the core
# proves the socket alive with pings (a dead one reconnects, and the new subscription pushes the
# sessions at once), so the poll is only a net for a subscription the server silently dropped.
WEBSOCKET_FALLBACK_INTERVAL: Final = 60
WEBSOCKET_QUIET_LIMIT: Final = 1800
# Discovery data (latest, resume, next up) per user: fixed, events invalidate it earlier.
DISCOVERY_SCAN_INTERVAL: Final = timedelta(minutes=30)
# Safety nets while the WebSocket pushes what a coordinator holds: the server's version and
# update flag (the only server data Emby cannot push) hourly, discovery rows (changed only by
# pushed UserDataChanged and LibraryChanged, but for suggestions) every 6 hours, the library
# and the optional sources daily.
SERVER_PUSHED_INTERVAL: Final = timedelta(hours=1)
DISCOVERY_PUSHED_INTERVAL: Final = timedelta(hours=6)
PUSHED_SAFETY_INTERVAL: Final = timedelta(hours=24)
# LibraryChanged and UserDataChanged come in bursts (a library scan, a season marked played):
# event-driven refreshes of the library and discovery run at most once per this window.
EVENT_REFRESH_COOLDOWN: Final = 30.0
# Events that make a user's discovery rows stale come in pairs and bursts (PlaybackStopped, then
# the UserDataChanged of the saved position 500 ms later; a season marked played): the refresh
# waits this long after the first one and serves them all.
DISCOVERY_EVENT_DELAY: Final = 5.0

# Emby clients that are browser players (the "ignore web players" option).
WEB_PLAYER_CLIENTS: Final = frozenset({"Emby Web", "Emby Mobile"})

# Keys of the coordinator metrics in the core (`record_coordinator_update`).
COORDINATOR_SESSIONS: Final = "sessions"
COORDINATOR_LIBRARY: Final = "library"
COORDINATOR_SERVER: Final = "server"
COORDINATOR_DISCOVERY: Final = "discovery"
