"""Defect 5 of issue 14: under a flood of WebSocket frames Home Assistant's loop keeps running.

The simulator serves from its own thread here, so the flood does not wait for Home Assistant's
loop (a real server does not). A loop-lag probe measures the longest stall.

Seen failing before the fix: the event loop of the integration took batch after batch of
already-queued events without ever yielding: the probe saw the whole flood (about 3 s) as one
stall.
"""

import asyncio

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from emby_simulator import SimulatorConfig
from emby_simulator.flood import flood_progress

from .probes import FaultReport, LoopLag, ThreadedSimulator, WaitUntil, shows_the_flood_end

pytestmark = pytest.mark.threaded_simulator
API_KEY = "test-api-key"
# Far above a few ms (a loaded 2-core machine), far below the stall this test catches.
STALL_LIMIT = 1.0


@pytest.fixture
def simulator_config() -> SimulatorConfig:
    """Thirty clients, all playing."""
    return SimulatorConfig(api_key=API_KEY, users=2, clients=30, playing=30)


async def test_progress_flood_never_stalls_the_loop(
    hass: HomeAssistant,
    threaded_simulator: ThreadedSimulator,
    init_integration: MockConfigEntry,
    wait_until: WaitUntil,
) -> None:
    """3 s of progress frames as fast as the server can send: the loop keeps running, and
    every client ends where its last frame put it (nothing lost)."""
    sessions = init_integration.runtime_data.sessions
    await wait_until(lambda: sessions.websocket_connected)
    probe = LoopLag()
    probe.start()
    try:
        flood = await asyncio.wrap_future(
            threaded_simulator.run(flood_progress(threaded_simulator.sim, seconds=3.0))
        )
        assert set(flood.last_positions) & set(sessions.data or {})

        def _caught_up() -> bool:
            return shows_the_flood_end(sessions.data or {}, flood)

        await wait_until(_caught_up, within=30)
    finally:
        stall = await probe.stop()
    FaultReport(
        "progress flood, unthrottled, 3 s",
        events_lost=0,
        loop_stall_ms=stall * 1000,
        note=f"{flood.frames} frames, {flood.frames / flood.seconds:.0f}/s, {probe.samples} probes",
    ).emit()
    assert stall < STALL_LIMIT
