"""One authenticated connection to Home Assistant's WebSocket API: commands and subscribe_events."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from typing import Any

import aiohttp

from .checks import CheckFailed


class HomeAssistantSocket:
    """`async with HomeAssistantSocket(session, url, token) as ws:`; a reader task routes each
    answer to the command that asked (by id) and each event, stamped with its arrival time, to
    its subscription queue."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str) -> None:
        """Nothing connects until entered."""
        self._session = session
        self._url = base_url.rstrip("/") + "/api/websocket"
        self._token = token
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._queues: dict[int, asyncio.Queue[tuple[float, dict[str, Any]]]] = {}
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> HomeAssistantSocket:
        """Connect and authenticate."""
        self._ws = await self._session.ws_connect(self._url, heartbeat=30)
        hello = await self._ws.receive_json(timeout=30)
        if hello.get("type") != "auth_required":
            raise CheckFailed(f"unexpected WebSocket greeting {hello!r}")
        await self._ws.send_json({"type": "auth", "access_token": self._token})
        auth = await self._ws.receive_json(timeout=30)
        if auth.get("type") != "auth_ok":
            raise CheckFailed(f"WebSocket authentication failed: {auth.get('message')}")
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Close the socket and the reader."""
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def _read(self) -> None:
        assert self._ws is not None
        async for message in self._ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            arrived = time.time()
            payload = message.json()
            for item in payload if isinstance(payload, list) else [payload]:
                ident = item.get("id")
                if item.get("type") == "event" and ident in self._queues:
                    self._queues[ident].put_nowait((arrived, item["event"]))
                elif ident in self._pending and not self._pending[ident].done():
                    self._pending.pop(ident).set_result(item)
        error = CheckFailed("Home Assistant closed the WebSocket")
        for future in self._pending.values():
            if not future.done():
                future.set_exception(error)

    async def _send(self, command: dict[str, Any], within: float) -> tuple[int, dict[str, Any]]:
        assert self._ws is not None
        ident = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[ident] = future
        await self._ws.send_json({"id": ident, **command})
        try:
            answer = await asyncio.wait_for(future, within)
        except TimeoutError:
            raise CheckFailed(
                f"no answer to WebSocket {command['type']} within {within:.0f} s"
            ) from None
        if not answer.get("success"):
            raise CheckFailed(f"WebSocket {command['type']} failed: {answer.get('error')}")
        return ident, answer

    async def call(self, command_type: str, within: float = 60, **fields: Any) -> Any:
        """One command; its result."""
        _, answer = await self._send({"type": command_type, **fields}, within)
        return answer.get("result")

    async def subscribe(
        self, command_type: str, **fields: Any
    ) -> asyncio.Queue[tuple[float, dict[str, Any]]]:
        """A subscription (subscribe_events, ...): a queue of (arrival time.time(), event)."""
        ident = next(self._ids)
        queue: asyncio.Queue[tuple[float, dict[str, Any]]] = asyncio.Queue()
        self._queues[ident] = queue
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[ident] = future
        assert self._ws is not None
        await self._ws.send_json({"id": ident, "type": command_type, **fields})
        answer = await asyncio.wait_for(future, 60)
        if not answer.get("success"):
            raise CheckFailed(f"WebSocket {command_type} failed: {answer.get('error')}")
        return queue

    async def states(self) -> dict[str, dict[str, Any]]:
        """entity_id -> state object."""
        return {state["entity_id"]: state for state in await self.call("get_states")}

    async def entry_entities(self, entry_id: str) -> list[dict[str, Any]]:
        """The entity registry entries of a config entry."""
        registry = await self.call("config/entity_registry/list")
        return [e for e in registry if e.get("config_entry_id") == entry_id]

    async def entry_devices(self, entry_id: str) -> list[dict[str, Any]]:
        """The device registry entries of a config entry."""
        registry = await self.call("config/device_registry/list")
        return [d for d in registry if entry_id in d.get("config_entries", [])]
