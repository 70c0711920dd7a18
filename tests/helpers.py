"""Helpers shared by the integration tests: moving Home Assistant's clock, flow input."""

import asyncio
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import CONF_API_KEY, CONF_HOST, CONF_PORT, CONF_SSL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.embymedia.const import DOMAIN
from emby_simulator import EmbySimulator

# The WebSocket event loop runs as a background task until unload: waiting for it would hang.
EVENT_LOOP_TASK = f"{DOMAIN} websocket"


async def settle(hass: HomeAssistant) -> None:
    """Wait for what became due, scheduled refreshes included (HA runs them as background
    tasks), but not for the WebSocket event loop."""
    while True:
        await hass.async_block_till_done()
        pending = [
            task
            for task in hass._background_tasks
            if not task.done() and EVENT_LOOP_TASK not in task.get_name()
        ]
        if not pending:
            return
        await asyncio.wait(pending, timeout=30)


async def tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    """Move Home Assistant's clock and run what became due."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await settle(hass)


def user_input(sim: EmbySimulator, **overrides: Any) -> dict[str, Any]:
    """A valid user step for the simulator."""
    return {
        CONF_HOST: "127.0.0.1",
        CONF_PORT: sim.port,
        CONF_SSL: False,
        CONF_API_KEY: sim.api_key,
        CONF_VERIFY_SSL: True,
    } | overrides
