"""A faithful Emby 4.8/4.9 server simulator (REST and WebSocket) for tests, demos and benchmarks.

    async with EmbySimulator(SimulatorConfig(api_key="key")) as sim:
        ...  # sim.url, sim.advance(30), await sim.flush(), sim.count("/Sessions"), ...

`python -m emby_simulator --help` runs one from the command line.
"""

from .accounting import RequestRecord
from .config import Fault, SimulatorConfig
from .hub import MISSING
from .server import EmbySimulator

__all__ = ["MISSING", "EmbySimulator", "Fault", "RequestRecord", "SimulatorConfig"]
