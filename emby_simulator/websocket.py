"""The `/embywebsocket` endpoint: accepting sockets, their writers, inbound messages, closing.

What each socket receives is decided in `hub.py`; this module only moves frames over aiohttp.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from .clients import Session
from .faults import FaultState
from .hub import MISSING, Socket, WebSocketHub

__all__ = ["MISSING", "WebSocketEndpoint", "parse_start"]

_LOGGER = logging.getLogger(__name__)

FORCE_KEEP_ALIVE_SECONDS = 60
FLUSH_TIMEOUT = 10.0


def parse_start(data: Any) -> tuple[float, float]:
    """`"<initialDelayMs>,<intervalMs>"` -> seconds (defaults 0 and 1.5 s)."""
    delay, interval = 0.0, 1.5
    if isinstance(data, str):
        parts = [p.strip() for p in data.split(",")]
        with contextlib.suppress(ValueError, IndexError):
            delay = max(float(parts[0]) / 1000.0, 0.0)
        with contextlib.suppress(ValueError, IndexError):
            interval = max(float(parts[1]) / 1000.0, 0.0)
    elif isinstance(data, int | float):
        interval = max(float(data) / 1000.0, 0.0)
    return delay, interval


class WebSocketEndpoint:
    """Runs the sockets of the hub over aiohttp."""

    def __init__(
        self,
        hub: WebSocketHub,
        faults: FaultState,
        end_api_session: Callable[[str], None],
    ) -> None:
        """`end_api_session(device_id)` runs when an API consumer's last socket closes."""
        self.hub = hub
        self._faults = faults
        self._end_api_session = end_api_session

    async def handle(
        self,
        request: web.Request,
        device_id: str | None,
        user_id: str | None,
        session: Session | None,
    ) -> web.WebSocketResponse:
        """Run one socket until it closes. Pings are answered here (autoping off), so a
        stalled server can withhold pongs."""
        ws = web.WebSocketResponse(autoping=False, max_msg_size=4 * 1024 * 1024)
        await ws.prepare(request)
        socket = Socket(ws=ws, device_id=device_id, user_id=user_id, session=session)
        if session is not None:
            session.sockets += 1
        socket.writer = asyncio.create_task(self._writer(socket), name="emby-sim-ws-writer")
        self.hub.sockets.append(socket)
        self.hub.connections += 1
        self.hub.send(socket, "ForceKeepAlive", FORCE_KEEP_ALIVE_SECONDS)
        try:
            async for msg in ws:
                if self._faults.ws_stall:
                    continue  # a stalled server reads nothing and answers nothing
                if msg.type == WSMsgType.PING:
                    await ws.pong(msg.data)
                elif msg.type == WSMsgType.TEXT:
                    self._on_text(socket, msg.data)
                elif msg.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
                    break
        finally:
            await self._close_socket(socket)
        return ws

    async def _writer(self, socket: Socket) -> None:
        ws = socket.ws
        while True:
            payload = await socket.queue.get()
            try:
                if payload is None:
                    return
                if socket.closed or ws.closed or self._faults.ws_stall:
                    continue
                if (hook := self.hub.before_next_send) is not None:
                    self.hub.before_next_send = None
                    hook()
                if isinstance(payload, bytes):
                    await ws.send_bytes(payload)
                else:
                    await ws.send_str(payload)
                self.hub.frames_sent += 1
            except (ConnectionError, RuntimeError, asyncio.CancelledError) as err:
                if isinstance(err, asyncio.CancelledError):
                    raise
                _LOGGER.debug("WebSocket send failed: %s", err)
                socket.closed = True
            finally:
                socket.queue.task_done()

    def _on_text(self, socket: Socket, text: str) -> None:
        # Old Emby ignores inbound text that does not start with "{" (EMBY.md 4.2).
        if not text.lstrip().startswith("{"):
            return
        try:
            message = json.loads(text)
        except ValueError:
            return
        if not isinstance(message, dict):
            return
        message_type = message.get("MessageType")
        data = message.get("Data")
        hub = self.hub
        if message_type == "KeepAlive":
            hub.send(socket, "KeepAlive")
        elif message_type == "SessionsStart":
            delay, interval = parse_start(data)
            socket.sessions_interval = interval
            self._later(delay, lambda: hub.initial_sessions(socket))
        elif message_type == "SessionsStop":
            socket.sessions_interval = None
        elif message_type == "ScheduledTasksInfoStart":
            delay, interval = parse_start(data)
            socket.tasks_interval = interval
            self._later(delay, lambda: hub.initial_tasks(socket))
        elif message_type == "ScheduledTasksInfoStop":
            socket.tasks_interval = None
        elif message_type == "ActivityLogEntryStart":
            socket.activity_interval = parse_start(data)[1]
        elif message_type == "ActivityLogEntryStop":
            socket.activity_interval = None
        # Anything else (Identity, Context, unknown types) is ignored, as Emby does.

    @staticmethod
    def _later(delay: float, callback: Callable[[], None]) -> None:
        loop = asyncio.get_running_loop()
        if delay <= 0:
            loop.call_soon(callback)
        else:
            loop.call_later(delay, callback)

    async def _close_socket(self, socket: Socket) -> None:
        if socket in self.hub.sockets:
            self.hub.sockets.remove(socket)
        socket.closed = True
        socket.queue.put_nowait(None)
        if socket.writer is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(asyncio.shield(socket.writer), 1.0)
            if not socket.writer.done():
                socket.writer.cancel()
        if not socket.ws.closed:
            with contextlib.suppress(Exception):
                await socket.ws.close()
        session = socket.session
        if session is not None:
            session.sockets = max(0, session.sockets - 1)
            if session.sockets == 0 and not session.simulated:
                self._end_api_session(session.device_id)

    async def close_all(self, message_type: str | None = None, code: int = 1001) -> None:
        """Close every socket, after sending `message_type` (e.g. ServerRestarting) if given."""
        sockets = list(self.hub.sockets)
        if message_type is not None:
            for socket in sockets:
                self.hub.send(socket, message_type)
            await self.flush()
        for socket in sockets:
            socket.closed = True
            with contextlib.suppress(Exception):
                await socket.ws.close(code=code, message=b"server going away")
        for socket in sockets:
            await self._close_socket(socket)

    async def flush(self) -> None:
        """Wait (bounded) until every queued frame has been written."""
        waits = [
            s.queue.join()
            for s in list(self.hub.sockets)
            if s.writer is not None and not s.writer.done()
        ]
        if not waits:
            return
        try:
            await asyncio.wait_for(asyncio.gather(*waits), FLUSH_TIMEOUT)
        except TimeoutError:
            _LOGGER.warning(
                "flush: a WebSocket client did not read its frames within %s s", FLUSH_TIMEOUT
            )
