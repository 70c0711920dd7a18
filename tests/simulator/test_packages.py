"""Plugins: `GET /Plugins` and the frames of installing and removing one (EMBY.md 4.4)."""

import aiohttp

from emby_simulator import EmbySimulator

from .conftest import HEADERS
from .test_websocket import connect, drain, types


async def test_install_and_uninstall_announce_themselves(
    sim: EmbySimulator, http: aiohttp.ClientSession
) -> None:
    """Installing sends PackageInstalling, PackageInstallationCompleted and RestartRequired to
    every socket; removing sends PluginUninstalled (with the plugin) and nothing more once a
    restart is pending; /Plugins follows."""
    ws = await connect(http, sim)
    async with http.get(f"{sim.url}/Plugins", headers=HEADERS) as response:
        before = await response.json()
    assert len(before) == 5

    sim.install_plugin("Playback Reporting", "2.1.0.0", "Playback statistics")
    await sim.flush()
    frames = await drain(ws)
    assert types(frames) == ["PackageInstalling", "PackageInstallationCompleted", "RestartRequired"]
    assert frames[1]["Data"]["Name"] == "Playback Reporting"
    assert frames[1]["Data"]["Version"] == "2.1.0.0"
    async with http.get(f"{sim.url}/Plugins", headers=HEADERS) as response:
        names = [plugin["Name"] for plugin in await response.json()]
    assert "Playback Reporting" in names and len(names) == 6

    assert sim.uninstall_plugin("Trakt")
    assert not sim.uninstall_plugin("No such plugin")
    await sim.flush()
    frames = await drain(ws)
    assert types(frames) == ["PluginUninstalled"]  # the restart is already pending
    assert frames[0]["Data"]["Name"] == "Trakt"
    await ws.close()
