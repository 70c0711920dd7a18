"""Fixtures of the fault suite: the simulator on its own thread, for the modules that ask for it
with `pytestmark = pytest.mark.threaded_simulator` (floods, soaks, TLS); every other module keeps
the simulator of tests/conftest.py on Home Assistant's loop."""

from collections.abc import AsyncIterator, Iterator

import pytest

from emby_simulator import EmbySimulator, SimulatorConfig

from .probes import ThreadedSimulator

THREADED = "threaded_simulator"


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker (no unknown-mark warning)."""
    config.addinivalue_line(
        "markers", f"{THREADED}: the `simulator` fixture serves from its own thread and loop"
    )


@pytest.fixture
def threaded_simulator(
    socket_enabled: None, simulator_config: SimulatorConfig
) -> Iterator[ThreadedSimulator]:
    """The simulator on its own thread and loop: a flood does not wait for Home Assistant's
    loop (a real server does not), and the TLS handshakes it fails are logged by its loop."""
    threaded = ThreadedSimulator(simulator_config)
    threaded.start()
    yield threaded
    threaded.stop()


@pytest.fixture
async def simulator(
    request: pytest.FixtureRequest, socket_enabled: None, simulator_config: SimulatorConfig
) -> AsyncIterator[EmbySimulator]:
    """The simulator the entry fixtures use: the threaded one in a marked module, else one on
    Home Assistant's loop (as in tests/conftest.py)."""
    if request.node.get_closest_marker(THREADED) is not None:
        threaded: ThreadedSimulator = request.getfixturevalue(THREADED)
        yield threaded.sim
        return
    async with EmbySimulator(simulator_config) as sim:
        yield sim
