"""The binding of Emby's UDP discovery, against the simulator's responder on 127.0.0.1."""

import pytest
from embymedia_core import discover_servers

from emby_simulator import EmbySimulator, SimulatorConfig
from emby_simulator.discovery import DiscoveryResponder


async def test_discover_servers_finds_the_loopback_responder(socket_enabled: None) -> None:
    """One question, one server (id, name, address and its parts for EmbyClient)."""
    async with (
        EmbySimulator(SimulatorConfig(api_key="k", server_name="Den")) as sim,
        DiscoveryResponder(sim) as responder,
    ):
        found = await discover_servers("127.0.0.1", port=responder.port, wait=0.3)
        assert found == [
            {
                "id": sim.server_id,
                "name": "Den",
                "address": sim.url,
                "host": "127.0.0.1",
                "port": sim.port,
                "ssl": False,
            }
        ]
        assert responder.questions == 1
        responder.answering = False
        assert await discover_servers("127.0.0.1", port=responder.port, wait=0.2) == []
        assert responder.questions == 2


@pytest.mark.parametrize(
    ("target", "kwargs"),
    [
        ("emby.local", {}),
        ("", {}),
        ("127.0.0.1", {"port": 0}),
        ("127.0.0.1", {"wait": 0}),
        ("127.0.0.1", {"wait": 31}),
        ("127.0.0.1", {"wait": float("nan")}),
    ],
)
def test_discover_servers_checks_its_arguments(target: str, kwargs: dict[str, float]) -> None:
    """Bad input is a ValueError before anything is sent."""
    with pytest.raises(ValueError, match=r"target|port|wait"):
        discover_servers(target, **kwargs)  # type: ignore[arg-type]
