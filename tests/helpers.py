"""Helpers shared by the integration tests that move Home Assistant's clock."""

import asyncio
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.embymedia.const import DOMAIN

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
