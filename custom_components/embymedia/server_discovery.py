"""Finding Emby servers on the network (Emby's UDP discovery, done by the core).

Started from `async_setup`: once Home Assistant has started, then every 30 minutes, in the
background. A server that already has an entry (set up, or ignored by the user) starts no flow;
the others start an integration discovery flow that asks only for the API key.

Where the question goes is a setting (`EMBYMEDIA_DISCOVERY_TARGET`): the broadcast address by
default, `off` to disable, or `IP:port` (tests and `scripts/develop` use a responder on
127.0.0.1; nothing of this repository broadcasts).
"""

import asyncio
import os
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from embymedia_core import EmbyError, discover_servers
from homeassistant.config_entries import SOURCE_INTEGRATION_DISCOVERY
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import discovery_flow
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.start import async_at_started

from .const import CONF_HOST, CONF_PORT, CONF_SSL, DOMAIN, LOGGER

if TYPE_CHECKING:
    from embymedia_core import DiscoveredServer

DISCOVERY_TARGET_ENV: Final = "EMBYMEDIA_DISCOVERY_TARGET"
BROADCAST_TARGET: Final = ("255.255.255.255", 7359)
# Rate limit: one question per interval (a server that appears later is found at the next one).
DISCOVERY_INTERVAL: Final = timedelta(minutes=30)
# Seconds the core waits for answers to one question.
DISCOVERY_WAIT: Final = 2.0

CONF_SERVER_ID: Final = "server_id"
CONF_NAME: Final = "name"
CONF_ADDRESS: Final = "address"


def discovery_target() -> tuple[str, int] | None:
    """Where the discovery question goes; None when discovery is off (or the setting is not
    an `IP:port`, which is logged once)."""
    value = os.environ.get(DISCOVERY_TARGET_ENV, "").strip()
    if not value:
        return BROADCAST_TARGET
    if value.lower() == "off":
        return None
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        LOGGER.warning("%s=%s is not IP:port or off: discovery is off", DISCOVERY_TARGET_ENV, value)
        return None
    return host.strip("[]"), int(port)


def discovery_flow_data(server: DiscoveredServer) -> dict[str, str | int | bool]:
    """What a discovery flow is started with (no secret: Emby's answer carries none)."""
    return {
        CONF_SERVER_ID: server["id"],
        CONF_NAME: server["name"],
        CONF_ADDRESS: server["address"],
        CONF_HOST: server["host"],
        CONF_PORT: server["port"],
        CONF_SSL: server["ssl"],
    }


class EmbyServerDiscovery:
    """Asks the network for Emby servers, one question at a time."""

    def __init__(self, hass: HomeAssistant, target: tuple[str, int]) -> None:
        """Initialize the discovery for `target` (IP, port)."""
        self.hass = hass
        self.target = target
        self._lock = asyncio.Lock()
        self._failed = False

    async def async_discover(self) -> list[DiscoveredServer]:
        """Ask once and start a flow for each new server; the servers that answered."""
        if self._lock.locked():
            return []  # a question is out already
        async with self._lock:
            host, port = self.target
            try:
                servers = await discover_servers(host, port=port, wait=DISCOVERY_WAIT)
            except (EmbyError, ValueError) as err:
                # One warning per failing streak (a host without a usable network, a bad target).
                log = LOGGER.debug if self._failed else LOGGER.warning
                log("Emby server discovery failed: %s", err)
                self._failed = True
                return []
            self._failed = False
        for server in servers:
            # Set up or ignored by the user: nothing to offer.
            if self.hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, server["id"]):
                continue
            LOGGER.debug("Discovered Emby server %s at %s", server["name"], server["address"])
            discovery_flow.async_create_flow(
                self.hass,
                DOMAIN,
                context={"source": SOURCE_INTEGRATION_DISCOVERY},
                data=discovery_flow_data(server),
            )
        return servers

    @callback
    def async_schedule(self, _now: datetime | None = None) -> None:
        """Ask in the background (never holds up startup or the caller)."""
        self.hass.async_create_background_task(
            self.async_discover(), name=f"{DOMAIN} server discovery"
        )


@callback
def async_setup_discovery(hass: HomeAssistant) -> EmbyServerDiscovery | None:
    """Discover servers once Home Assistant has started and every 30 minutes after."""
    if (target := discovery_target()) is None:
        return None
    discovery = EmbyServerDiscovery(hass, target)

    @callback
    def _started(_hass: HomeAssistant) -> None:
        discovery.async_schedule()

    async_at_started(hass, _started)
    cancel_interval: CALLBACK_TYPE = async_track_time_interval(
        hass, discovery.async_schedule, DISCOVERY_INTERVAL
    )

    @callback
    def _stop(_event: Event) -> None:
        cancel_interval()

    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _stop)
    return discovery
