"""Set embymedia up from an installed embymedia-core wheel, as a user's Home Assistant would.

Run by scripts/wheels with the Python of a clean venv that holds Home Assistant and the built wheel,
nothing else. It copies the integration into a fresh config directory and the simulator beside it,
serves the simulator on 127.0.0.1, starts a Home Assistant core in this process (its own
config entries, registries and requirement check, and the manifest's dependencies, http on a free
loopback port; none of the default integrations or the frontend: scripts/e2e runs a whole hass
process), runs the real config flow, and waits until the
entry is loaded and the clients' entities exist. Then it unloads and stops.

It proves what a released wheel must do: Home Assistant finds the manifest's pinned requirement
installed (`skip_pip` is off, so a wrong pin would make it try PyPI and fail), and the integration
imports and runs the core from the venv's site-packages (not from a checkout).

    python wheel_setup.py --work DIR --checkout CHECKOUT
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import json
import shutil
import socket
import sys
import time
from pathlib import Path
from typing import Any

# Home Assistant is what this script tests: it runs in the venv under test, which has it.
from homeassistant import bootstrap, loader
from homeassistant.config_entries import ConfigEntries, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.setup import async_setup_component

SETUP_TIMEOUT = 120.0  # seconds for the whole setup (the machine may be busy)
DOMAIN = "embymedia"


class SetupFailed(Exception):
    """A step failed; the message says which."""


def _prepare(work: Path, checkout: Path) -> Path:
    """A config directory with only the integration, and the simulator importable."""
    config = work / "config"
    shutil.copytree(
        checkout / "custom_components" / DOMAIN,
        config / "custom_components" / DOMAIN,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copytree(
        checkout / "emby_simulator",
        work / "sim" / "emby_simulator",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    # Last on the path: nothing of the checkout can shadow the installed core.
    sys.path.append(str(work / "sim"))
    return config


async def _wait_for(condition: Any, what: str, deadline: float) -> None:
    while not condition():
        if time.monotonic() > deadline:
            raise SetupFailed(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _origin(module_name: str) -> Path:
    """Where a loaded module's file is."""
    return Path(sys.modules[module_name].__file__ or "").resolve()


def _check_origins(config_dir: Path) -> dict[str, str]:
    """The core from the venv's site-packages, the integration from the config directory."""
    core, integration = _origin("embymedia_core"), _origin(f"custom_components.{DOMAIN}")
    site = Path(sys.prefix).resolve()
    if not core.is_relative_to(site):
        raise SetupFailed(f"embymedia_core was imported from {core}, not from {site}")
    if not integration.is_relative_to(config_dir.resolve()):
        raise SetupFailed(f"the integration came from {integration}, not from {config_dir}")
    return {
        "core loaded from": str(core.parent),
        "integration loaded from": str(integration.parent),
    }


async def run(config_dir: Path, pin: list[str]) -> dict[str, Any]:
    """Set the integration up; returns what was checked, for the report."""
    # After _prepare put the copy on the path (the simulator is the test's server, not a module
    # of the venv under test).
    from emby_simulator import EmbySimulator, SimulatorConfig  # noqa: PLC0415

    deadline = time.monotonic() + SETUP_TIMEOUT
    async with EmbySimulator(
        SimulatorConfig(api_key="wheel-check-key", clients=4, playing=1)
    ) as sim:
        hass = HomeAssistant(str(config_dir))
        loader.async_setup(hass)
        hass.config.skip_pip = False  # the manifest's requirement goes through the real check
        # The integration depends on http (its image view): serve it on loopback, on a free port.
        hass.config_entries = ConfigEntries(
            hass, {"http": {"server_host": ["127.0.0.1"], "server_port": _free_port()}}
        )
        await loader.async_get_custom_components(hass)
        if not await bootstrap.async_load_base_functionality(hass):
            raise SetupFailed("Home Assistant's registries did not load")
        if not await async_setup_component(hass, "homeassistant", {}):
            raise SetupFailed("Home Assistant's core integration did not set up")
        await async_process_ha_core_config(hass, {})
        await hass.async_start()
        try:
            try:
                flow = await hass.config_entries.flow.async_init(DOMAIN, context={"source": "user"})
            except HomeAssistantError as err:  # a manifest requirement that is not installed
                raise SetupFailed(f"Home Assistant cannot load the integration: {err}") from err
            flow = await hass.config_entries.flow.async_configure(
                flow["flow_id"],
                {
                    "host": "127.0.0.1",
                    "port": sim.port,
                    "ssl": False,
                    "api_key": sim.api_key,
                    "verify_ssl": True,
                },
            )
            # Further steps (choose a user) with their defaults, as a user pressing Submit.
            while flow["type"] is FlowResultType.FORM:
                if flow.get("errors"):
                    raise SetupFailed(f"the config flow showed errors: {flow['errors']}")
                flow = await hass.config_entries.flow.async_configure(flow["flow_id"], {})
            if flow["type"] is not FlowResultType.CREATE_ENTRY:
                raise SetupFailed(
                    f"the config flow ended with {flow['type']}: {flow.get('reason')}"
                )
            entry = flow["result"]
            await _wait_for(
                lambda: (
                    entry.state is ConfigEntryState.LOADED
                    or entry.state is ConfigEntryState.SETUP_ERROR
                ),
                "the entry to load",
                deadline,
            )
            if entry.state is not ConfigEntryState.LOADED:
                raise SetupFailed(f"the entry is {entry.state}: {entry.reason}")
            await _wait_for(
                lambda: len(hass.states.async_entity_ids("media_player")) >= 4,
                "a media player per simulated client",
                deadline,
            )
            players = hass.states.async_entity_ids("media_player")
            playing = [p for p in players if hass.states.get(p).state == "playing"]  # type: ignore[union-attr]

            result = {
                "embymedia-core": importlib.metadata.version("embymedia-core"),
                "manifest requirements": pin,
                **_check_origins(config_dir),
                "entry": entry.state.value,
                "media players": len(players),
                "playing": len(playing),
                "requests to the simulator": sum(sim.request_counts().values()),
            }
            if f"embymedia-core=={result['embymedia-core']}" not in pin:
                raise SetupFailed(f"installed {result['embymedia-core']}, manifest pins {pin}")
            if not playing:
                raise SetupFailed("no media player shows the simulated playback")
            if not await hass.config_entries.async_unload(entry.entry_id):
                raise SetupFailed("the entry did not unload")
        finally:
            await hass.async_stop()
    return result


def main() -> int:
    """Command line."""
    parser = argparse.ArgumentParser(prog="wheel_setup.py")
    parser.add_argument("--work", type=Path, required=True, help="an empty scratch directory")
    parser.add_argument("--checkout", type=Path, required=True)
    args = parser.parse_args()
    config_dir = _prepare(args.work, args.checkout)
    manifest = json.loads((config_dir / "custom_components" / DOMAIN / "manifest.json").read_text())
    try:
        result = asyncio.run(run(config_dir, manifest["requirements"]))
    except SetupFailed as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for key, value in result.items():
        print(f"  {key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
