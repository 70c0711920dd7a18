"""Server modes: HTTPS/WSS with a given SSL context, and the real-time clock."""

import asyncio
from pathlib import Path

import aiohttp
import pytest

from emby_simulator import EmbySimulator, SimulatorConfig
from emby_simulator.tls import self_signed_context

from .conftest import API_KEY, HEADERS


@pytest.mark.usefixtures("socket_enabled")
async def test_https_and_wss(tmp_path: Path) -> None:
    """With ssl_context the server speaks https and wss; verification fails on the self-signed
    certificate unless turned off (what the integration's verify_ssl tests need)."""
    config = SimulatorConfig(api_key=API_KEY, ssl_context=self_signed_context(tmp_path))
    async with EmbySimulator(config) as sim, aiohttp.ClientSession() as http:
        assert sim.url.startswith("https://")
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await http.get(sim.url + "/System/Info/Public")
        async with http.get(sim.url + "/System/Info", headers=HEADERS, ssl=False) as response:
            info = await response.json()
        assert info["SupportsHttps"] is True
        ws = await http.ws_connect(
            sim.url.replace("https", "wss") + f"/embywebsocket?api_key={API_KEY}&deviceId=x",
            ssl=False,
        )
        assert (await ws.receive_json(timeout=5))["MessageType"] == "ForceKeepAlive"
        await ws.close()


@pytest.mark.usefixtures("socket_enabled")
async def test_realtime_clock_moves_by_itself() -> None:
    """realtime=True: simulated time follows wall time and playing positions move."""
    config = SimulatorConfig(api_key=API_KEY, realtime=True)
    async with EmbySimulator(config) as sim:
        playing = next(s for s in sim.sessions if s.is_playing and not s.is_paused)
        before = playing.position_ticks
        for _ in range(100):
            if sim.clock.seconds >= 1:
                break
            await asyncio.sleep(0.05)
        assert sim.clock.seconds >= 1
        assert playing.position_ticks > before or playing.now_playing is None
