"""What a config entry says: its options (defaults and ranges declared once, read by the
coordinators and shown by the options flow) and the core client built from its data."""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Final, Self

from embymedia_core import (
    DEFAULT_SESSIONS_INTERVAL_MS,
    SESSIONS_INTERVAL_MS_MAX,
    SESSIONS_INTERVAL_MS_MIN,
    EmbyClient,
)
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import instance_id

from .const import (
    CLIENT_NAME,
    CLIENT_VERSION,
    CONF_API_KEY,
    CONF_ENABLE_DISCOVERY_SENSORS,
    CONF_ENABLE_WEBSOCKET,
    CONF_HOST,
    CONF_IGNORE_WEB_PLAYERS,
    CONF_IGNORED_DEVICES,
    CONF_LIBRARY_SCAN_INTERVAL,
    CONF_MAX_STREAMING_BITRATE,
    CONF_PORT,
    CONF_PURGE_AFTER_DAYS,
    CONF_SCAN_INTERVAL,
    CONF_SERVER_SCAN_INTERVAL,
    CONF_SSL,
    CONF_USER_ID,
    CONF_VERIFY_SSL,
    CONF_VIDEO_CONTAINERS,
    CONF_WEBSOCKET_INTERVAL,
    DEFAULT_SSL,
    DEFAULT_VERIFY_SSL,
    DEVICE_ID_PREFIX,
    LOGGER,
)

# Seconds the core waits for one HTTP request (a module constant so tests can shorten it).
REQUEST_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True, kw_only=True)
class NumberOption:
    """A numeric option: its default, its range and its unit as the options flow shows it."""

    key: str
    default: int
    minimum: int
    maximum: int
    unit: str
    step: int = 1


SCAN_INTERVAL: Final = NumberOption(
    key=CONF_SCAN_INTERVAL, default=10, minimum=5, maximum=300, unit="s"
)
# The SessionsStart throttle: its default and range are the core's.
WEBSOCKET_INTERVAL: Final = NumberOption(
    key=CONF_WEBSOCKET_INTERVAL,
    default=DEFAULT_SESSIONS_INTERVAL_MS,
    minimum=SESSIONS_INTERVAL_MS_MIN,
    maximum=SESSIONS_INTERVAL_MS_MAX,
    unit="ms",
    step=100,
)
LIBRARY_SCAN_INTERVAL: Final = NumberOption(
    key=CONF_LIBRARY_SCAN_INTERVAL, default=1, minimum=1, maximum=24, unit="h"
)
SERVER_SCAN_INTERVAL: Final = NumberOption(
    key=CONF_SERVER_SCAN_INTERVAL, default=5, minimum=5, maximum=60, unit="min"
)
PURGE_AFTER_DAYS: Final = NumberOption(
    key=CONF_PURGE_AFTER_DAYS, default=0, minimum=0, maximum=365, unit="d"
)
# Media source playback: 0 leaves the server's limit.
MAX_STREAMING_BITRATE: Final = NumberOption(
    key=CONF_MAX_STREAMING_BITRATE, default=0, minimum=0, maximum=200, unit="Mbit/s"
)
# In the order the options flow shows them, with the switches between them.
NUMBER_OPTIONS: Final = (
    SCAN_INTERVAL,
    WEBSOCKET_INTERVAL,
    LIBRARY_SCAN_INTERVAL,
    SERVER_SCAN_INTERVAL,
    PURGE_AFTER_DAYS,
    MAX_STREAMING_BITRATE,
)
# Video containers a media source player may take as they are (others are remuxed or
# transcoded to HLS), and the ones most network players (Chromecast, browsers) play.
VIDEO_CONTAINERS: Final = ("mp4", "m4v", "webm", "mkv", "mov", "avi", "ts")
DEFAULT_VIDEO_CONTAINERS: Final = ("mp4", "m4v", "webm")
BOOLEAN_DEFAULTS: Final[Mapping[str, bool]] = {
    CONF_ENABLE_WEBSOCKET: True,
    CONF_ENABLE_DISCOVERY_SENSORS: True,
    CONF_IGNORE_WEB_PLAYERS: False,
}


def _number(options: Mapping[str, Any], option: NumberOption) -> int:
    """The option in its range. A value stored by an older version or edited by hand that is out
    of range is clamped, one that is no number at all takes the default, each with a warning."""
    raw = options.get(option.key, option.default)
    try:
        number = float(raw)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or isinstance(raw, bool):
        LOGGER.warning(
            "Option %s is %r, not a number: using %s %s",
            option.key,
            raw,
            option.default,
            option.unit,
        )
        return option.default
    value = min(max(round(number), option.minimum), option.maximum)
    if value != number:
        LOGGER.warning(
            "Option %s is %r, outside %s-%s %s: using %s",
            option.key,
            raw,
            option.minimum,
            option.maximum,
            option.unit,
            value,
        )
    return value


def _device_ids(options: Mapping[str, Any]) -> frozenset[str]:
    """Ignored clients: a list of device ids; anything else stored there is dropped."""
    raw = options.get(CONF_IGNORED_DEVICES, ())
    if isinstance(raw, list | tuple | set | frozenset):
        ids = frozenset(item for item in raw if isinstance(item, str) and item)
        if len(ids) == len(raw):
            return ids
    else:
        ids = frozenset()
    LOGGER.warning("Option %s is %r: only its device ids are kept", CONF_IGNORED_DEVICES, raw)
    return ids


def _boolean(options: Mapping[str, Any], key: str) -> bool:
    return bool(options.get(key, BOOLEAN_DEFAULTS[key]))


@dataclass(frozen=True, slots=True, kw_only=True)
class EmbyOptions:
    """Every option of an entry, with its default where it was never saved."""

    scan_interval: int = SCAN_INTERVAL.default  # session poll, seconds
    enable_websocket: bool = BOOLEAN_DEFAULTS[CONF_ENABLE_WEBSOCKET]
    websocket_interval: int = WEBSOCKET_INTERVAL.default  # SessionsStart throttle, ms
    library_scan_interval: int = LIBRARY_SCAN_INTERVAL.default  # hours
    server_scan_interval: int = SERVER_SCAN_INTERVAL.default  # minutes
    enable_discovery_sensors: bool = BOOLEAN_DEFAULTS[CONF_ENABLE_DISCOVERY_SENSORS]
    # The Emby user the entry works for; None means every user.
    user_id: str | None = None
    ignored_devices: frozenset[str] = frozenset()
    ignore_web_players: bool = BOOLEAN_DEFAULTS[CONF_IGNORE_WEB_PLAYERS]
    purge_after_days: int = PURGE_AFTER_DAYS.default  # 0 = never
    max_streaming_bitrate: int = MAX_STREAMING_BITRATE.default  # Mbit/s, 0 = server's limit
    video_containers: tuple[str, ...] = DEFAULT_VIDEO_CONTAINERS

    @classmethod
    def from_entry(cls, entry: ConfigEntry) -> Self:
        """The options of an entry (the user is chosen in the config flow, entry data, and
        changeable in the options flow, entry options, which win)."""
        options = entry.options
        user_id: str | None = options.get(CONF_USER_ID, entry.data.get(CONF_USER_ID))
        return cls(
            scan_interval=_number(options, SCAN_INTERVAL),
            enable_websocket=_boolean(options, CONF_ENABLE_WEBSOCKET),
            websocket_interval=_number(options, WEBSOCKET_INTERVAL),
            library_scan_interval=_number(options, LIBRARY_SCAN_INTERVAL),
            server_scan_interval=_number(options, SERVER_SCAN_INTERVAL),
            enable_discovery_sensors=_boolean(options, CONF_ENABLE_DISCOVERY_SENSORS),
            user_id=user_id or None,
            ignored_devices=_device_ids(options),
            ignore_web_players=_boolean(options, CONF_IGNORE_WEB_PLAYERS),
            purge_after_days=_number(options, PURGE_AFTER_DAYS),
            max_streaming_bitrate=_number(options, MAX_STREAMING_BITRATE),
            video_containers=tuple(options.get(CONF_VIDEO_CONTAINERS) or DEFAULT_VIDEO_CONTAINERS),
        )


def entry_user_id(entry: ConfigEntry) -> str | None:
    """The Emby user the entry works for; None means every user."""
    return EmbyOptions.from_entry(entry).user_id


async def async_get_device_id(hass: HomeAssistant) -> str:
    """Return the device id this Home Assistant instance uses towards Emby (never shared)."""
    return f"{DEVICE_ID_PREFIX}{await instance_id.async_get(hass)}"


async def async_create_client(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    device_id: str,
    *,
    request_timeout: float | None = None,
) -> EmbyClient:
    """The core client for entry data, built in the executor: the first one of a process loads
    the system's trust store from disk (milliseconds the event loop must not wait)."""
    return await hass.async_add_executor_job(
        partial(create_client, data, device_id, timeout=request_timeout)
    )


def create_client(
    data: Mapping[str, Any], device_id: str, *, timeout: float | None = None
) -> EmbyClient:
    """Build the core client for entry data (no request; blocking: see async_create_client).
    Raises InvalidHostError."""
    return EmbyClient(
        data[CONF_HOST],
        data[CONF_PORT],
        data[CONF_API_KEY],
        ssl=data.get(CONF_SSL, DEFAULT_SSL),
        verify_ssl=data.get(CONF_VERIFY_SSL, DEFAULT_VERIFY_SSL),
        device_id=device_id,
        device_name=CLIENT_NAME,
        client_name=CLIENT_NAME,
        client_version=CLIENT_VERSION,
        timeout=REQUEST_TIMEOUT if timeout is None else timeout,
    )
