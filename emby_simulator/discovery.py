"""Emby's UDP discovery responder: answers `who is EmbyServer?` with `{Address, Id, Name}`.

Emby listens on UDP 7359; this responder listens on loopback only (tests, `scripts/develop`,
benchmarks), on a port of the caller's choice (0: a free one). It answers only the exact
discovery datagram, as Emby does, and never sends anything else.
"""

from __future__ import annotations

import asyncio
import json
import logging
from types import TracebackType
from typing import TYPE_CHECKING, Self, override

if TYPE_CHECKING:
    from .server import EmbySimulator

_LOGGER = logging.getLogger(__name__)

DISCOVERY_MESSAGE = b"who is EmbyServer?"
LOOPBACK = "127.0.0.1"


def discovery_answer(sim: EmbySimulator) -> bytes:
    """What Emby answers: its address, id and name (EndpointAddress is null on a LAN)."""
    return json.dumps(
        {
            "Address": sim.url,
            "Id": sim.server_id,
            "Name": sim.server_name,
            "EndpointAddress": None,
        }
    ).encode()


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, responder: DiscoveryResponder) -> None:
        self.responder = responder
        self.transport: asyncio.DatagramTransport | None = None

    @override
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.DatagramTransport)
        self.transport = transport

    @override
    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        if data != DISCOVERY_MESSAGE or self.transport is None:
            return
        self.responder.questions += 1
        if self.responder.answering:
            self.transport.sendto(discovery_answer(self.responder.sim), addr)


class DiscoveryResponder:
    """The discovery side of a simulated server, on 127.0.0.1.

    `async with DiscoveryResponder(sim) as responder:` then send to `responder.port`;
    `questions` counts the discovery datagrams received, `answering = False` keeps it silent.
    """

    def __init__(self, sim: EmbySimulator, *, port: int = 0) -> None:
        """Bind nothing yet (`start`)."""
        self.sim = sim
        self.port = port
        self.questions = 0
        self.answering = True
        self._transport: asyncio.DatagramTransport | None = None

    async def start(self) -> None:
        """Listen on 127.0.0.1 (the port given, or a free one)."""
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Protocol(self), local_addr=(LOOPBACK, self.port)
        )
        self._transport = transport
        self.port = transport.get_extra_info("sockname")[1]
        _LOGGER.debug("Discovery responder on udp://%s:%s", LOOPBACK, self.port)

    async def stop(self) -> None:
        """Stop listening."""
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    async def __aenter__(self) -> Self:
        """Start listening."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop listening."""
        await self.stop()
