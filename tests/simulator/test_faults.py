"""Injected faults: latency, forced statuses, proxy error pages, truncated JSON, error rate,
path selection."""

import asyncio
import time

import aiohttp
import pytest

from emby_simulator import EmbySimulator, Fault, SimulatorConfig

from .conftest import API_KEY, HEADERS


async def fetch(http: aiohttp.ClientSession, sim: EmbySimulator, path: str) -> tuple[int, str, str]:
    async with http.get(sim.url + path, headers=HEADERS) as response:
        return response.status, response.content_type, await response.text()


async def test_latency(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """Answers come no sooner than the latency (a client timeout shorter than it fires)."""
    sim.set_fault(Fault(latency=0.5))
    with pytest.raises(TimeoutError):
        async with http.get(
            sim.url + "/System/Info", headers=HEADERS, timeout=aiohttp.ClientTimeout(total=0.1)
        ):
            pass
    started = time.monotonic()
    assert (await fetch(http, sim, "/System/Info/Public"))[0] == 200
    assert time.monotonic() - started >= 0.5


async def test_force_status_and_html(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """force_status answers every request with it (401 included, even with a valid key);
    html_error makes error bodies an HTML page."""
    sim.set_fault(Fault(force_status=500))
    assert await fetch(http, sim, "/System/Info") == (500, "text/plain", "Internal Server Error")
    sim.set_fault(Fault(force_status=401))
    assert (await fetch(http, sim, "/System/Info/Public"))[0] == 401
    sim.set_fault(Fault(force_status=502, html_error=True))
    status, content_type, text = await fetch(http, sim, "/Sessions")
    assert (status, content_type) == (502, "text/html")
    assert text.startswith("<html>") and "502 Bad Gateway" in text
    with pytest.raises(aiohttp.WSServerHandshakeError) as err:
        await http.ws_connect(f"{sim.url}/embywebsocket?api_key={API_KEY}&deviceId=d")
    assert err.value.status == 502
    sim.set_fault(None)
    assert (await fetch(http, sim, "/Sessions"))[0] == 200
    # Every faulted request is still counted and logged with its status.
    assert sim.count("/Sessions") == 2
    assert [r.status for r in sim.request_log if r.path == "/Sessions"] == [502, 200]


async def test_malformed_json(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """Successful JSON bodies are cut short: right status and type, invalid JSON."""
    sim.set_fault(Fault(malformed_json=True))
    async with http.get(sim.url + "/System/Info", headers=HEADERS) as response:
        assert response.status == 200 and response.content_type == "application/json"
        with pytest.raises(ValueError):
            await response.json()
    status, _, text = await fetch(http, sim, "/System/Ping")
    assert (status, text) == (200, "Emby Server")  # not JSON: untouched


async def test_paths(sim: EmbySimulator, http: aiohttp.ClientSession) -> None:
    """A fault applies only to matching paths (prefixes and `{id}` templates, and below)."""
    uid = sim.users[0]["Id"]
    sim.set_fault(Fault(force_status=503, paths=("/Users/{id}/Items", "/Sessions")))
    assert (await fetch(http, sim, f"/Users/{uid}/Items"))[0] == 503
    assert (await fetch(http, sim, f"/Users/{uid}/Items/Latest"))[0] == 503
    assert (await fetch(http, sim, "/emby/Sessions"))[0] == 503
    assert (await fetch(http, sim, f"/Users/{uid}/Views"))[0] == 200
    assert (await fetch(http, sim, "/System/Info"))[0] == 200
    assert (await fetch(http, sim, "/SessionsX"))[0] == 404


async def error_pattern(rate: float, seed: int) -> list[int]:
    async with EmbySimulator(SimulatorConfig(api_key=API_KEY, seed=seed)) as sim:
        sim.set_fault(Fault(error_rate=rate))
        async with aiohttp.ClientSession() as http:
            return [(await fetch(http, sim, "/System/Info"))[0] for _ in range(40)]


@pytest.mark.usefixtures("socket_enabled")
async def test_error_rate_is_reproducible() -> None:
    """error_rate fails about that share of requests, the same ones for the same seed."""
    first, again, other = await asyncio.gather(
        error_pattern(0.3, 1), error_pattern(0.3, 1), error_pattern(0.3, 2)
    )
    assert first == again
    assert first != other
    assert set(first) == {200, 500}
    assert 4 <= first.count(500) <= 20
