"""The `/embywebsocket` endpoint: connections, subscriptions and what each socket receives.

Frames are `{"MessageType": ..., "Data": ..., "MessageId": ...}` (Data left out when a message
has none). Each socket has a writer task fed by a queue, so code that changes state (REST
handlers, `advance`) only enqueues; `flush` waits until everything queued was written.

Delivery of user-scoped events (EMBY.md 4.6). In the open-source Emby code, `LibraryChanged`
and `UserDataChanged` go only to sessions of users; a socket opened with an API key has no user.
A third-party client reports (verified against 4.9.5) that Emby routes them to such a socket once
its session has registered capabilities with `POST /Sessions/Capabilities[/Full]`, and the old
wiki asks clients to post capabilities after every (re)connect. The simulator models exactly
that, per `SimulatorConfig.api_key_user_events`:

* `"capabilities"` (default): an API-key socket receives both events only while the session of
  its `deviceId` has registered capabilities after the socket connected ("after the web socket
  has connected ... report its capabilities ... repeated anytime the socket reconnects"). Every
  new socket of the device clears the registration; the session also ends when its last socket
  closes and with a restart.
* `"never"`: the open-source behaviour; API-key sockets never receive them.
* `"always"`: no registration needed.

Sockets opened with a user's access token (`POST /Users/AuthenticateByName`) always receive
`LibraryChanged`, and `UserDataChanged` of their own user. `Sessions`, `PlaybackStart`,
`PlaybackStopped`, `PlaybackProgress`, `SessionEnded`, `ScheduledTaskEnded`,
`ServerRestarting`, `ServerShuttingDown` and `RestartRequired` do not depend on a user.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from aiohttp import WSMsgType, web

from .clock import hex_id

if TYPE_CHECKING:
    from .server import EmbySimulator
    from .sessions import Session

_LOGGER = logging.getLogger(__name__)


class _Missing:
    """Marker: a frame without a Data key."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
FORCE_KEEP_ALIVE_SECONDS = 60
FLUSH_TIMEOUT = 10.0

#: Odd frames sent while `Fault.ws_malformed` is set (text, or bytes for a binary frame).
MALFORMED_FRAMES: tuple[str | bytes, ...] = (
    "this is not json",
    '{"MessageType":"Sessions","Data":42}',
    '{"MessageType":"Sessions","Data":"not a list"}',
    '{"MessageType":"LibraryChanged","Data":[1,2,3]}',
    '{"MessageType":"UserDataChanged"}',
    '{"MessageType":"NoSuchMessageType","Data":{"Anything":true}}',
    '{"Data":{"MessageTypeMissing":true}}',
    "[]",
    b"\x00\x01\x02binary frame",
    '{"MessageType":"Sessions","Data":[{"Id":5,"PlayState":"bad","DeviceId":null}]}',
    '{"MessageType":"Sessions","Data":[{',
    '{"MessageType":"Ping"}',
    '{"MessageType":"ForceKeepAlive","Data":"sixty"}',
)


@dataclass(eq=False)
class Socket:
    """One connected WebSocket."""

    ws: web.WebSocketResponse
    device_id: str | None
    user_id: str | None
    """None for an API-key socket."""
    session: Session | None
    queue: asyncio.Queue[str | bytes | None] = field(default_factory=asyncio.Queue)
    writer: asyncio.Task[None] | None = None
    sessions_interval: float | None = None
    """Simulated seconds between throttled Sessions pushes (None: not subscribed)."""
    last_sessions_push: float = -math.inf
    tasks_interval: float | None = None
    last_tasks_push: float = -math.inf
    activity_interval: float | None = None
    malformed_next: int = 0
    closed: bool = False


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


class WebSocketHub:
    """Every socket of the server."""

    def __init__(self, sim: EmbySimulator) -> None:
        """Bind to the simulator."""
        self.sim = sim
        self.sockets: list[Socket] = []
        self.connections = 0
        self.sessions_pushes = 0
        self.frames_sent = 0
        self._message_counter = 0
        self._batch_depth = 0
        self._batched_sessions_force = False
        self._batched_sessions_due = False

    # -- frames -------------------------------------------------------------------------------

    def frame(self, message_type: str, data: Any = MISSING) -> str:
        """A server frame as text."""
        self._message_counter += 1
        body: dict[str, Any] = {"MessageType": message_type}
        if data is not MISSING:
            body["Data"] = data
        body["MessageId"] = hex_id(self.sim.server_id, "message", self._message_counter)
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False)

    def _enqueue(self, socket: Socket, payload: str | bytes) -> None:
        if socket.closed:
            return
        fault = self.sim.fault
        if fault is not None and fault.ws_malformed and isinstance(payload, str):
            odd = MALFORMED_FRAMES[socket.malformed_next % len(MALFORMED_FRAMES)]
            socket.malformed_next += 1
            socket.queue.put_nowait(odd)
        socket.queue.put_nowait(payload)

    def send(self, socket: Socket, message_type: str, data: Any = MISSING) -> None:
        """Queue one frame to one socket."""
        self._enqueue(socket, self.frame(message_type, data))

    def broadcast(
        self,
        message_type: str,
        data: Any = MISSING,
        predicate: Callable[[Socket], bool] | None = None,
    ) -> int:
        """Queue one frame to every (matching) socket; returns how many got it."""
        text: str | None = None
        count = 0
        for socket in self.sockets:
            if socket.closed or (predicate is not None and not predicate(socket)):
                continue
            text = text or self.frame(message_type, data)
            self._enqueue(socket, text)
            count += 1
        return count

    def send_raw(self, payload: str | bytes) -> None:
        """Queue a raw payload (text or binary) to every socket."""
        for socket in self.sockets:
            if not socket.closed:
                socket.queue.put_nowait(payload)

    # -- user-scoped routing (EMBY.md 4.6, see the module docstring) --------------------------

    def receives_user_events(self, socket: Socket, user_id: str | None) -> bool:
        """Whether LibraryChanged (user_id None) / UserDataChanged of `user_id` reach a socket."""
        if socket.user_id is not None:
            return user_id is None or socket.user_id == user_id
        mode = self.sim.config.api_key_user_events
        if mode == "always":
            return True
        if mode == "never":
            return False
        session = socket.session
        return (
            session is not None
            and session.capabilities_registered
            and (self.sim.session_manager.by_device(session.device_id) is session)
        )

    # -- Sessions pushes ----------------------------------------------------------------------

    @property
    def batching(self) -> bool:
        """Whether pushes are held for the end of a batch (inside `advance`)."""
        return self._batch_depth > 0

    def batch(self) -> contextlib.AbstractContextManager[None]:
        """Within the block, Sessions pushes are collected and sent once at the end."""

        @contextlib.contextmanager
        def _batch() -> Any:
            self._batch_depth += 1
            try:
                yield
            finally:
                self._batch_depth -= 1
                if self._batch_depth == 0:
                    force, due = self._batched_sessions_force, self._batched_sessions_due
                    self._batched_sessions_force = self._batched_sessions_due = False
                    if force or due:
                        self.push_sessions(force=force)

        return _batch()

    def push_sessions(self, *, force: bool) -> int:
        """Sessions to subscribed sockets: forced (state change) or throttled by their interval
        (progress); returns how many sockets got one."""
        if self._batch_depth:
            if force:
                self._batched_sessions_force = True
            else:
                self._batched_sessions_due = True
            return 0
        now = self.sim.clock.seconds
        text: str | None = None
        count = 0
        for socket in self.sockets:
            interval = socket.sessions_interval
            if socket.closed or interval is None:
                continue
            if not force and now - socket.last_sessions_push < interval:
                continue
            text = text or self.frame("Sessions", self.sim.sessions_json())
            self._enqueue(socket, text)
            socket.last_sessions_push = now
            count += 1
        self.sessions_pushes += count
        return count

    def push_tasks(self, *, force: bool) -> None:
        """ScheduledTasksInfo to subscribed sockets."""
        now = self.sim.clock.seconds
        text: str | None = None
        for socket in self.sockets:
            interval = socket.tasks_interval
            if socket.closed or interval is None:
                continue
            if not force and now - socket.last_tasks_push < interval:
                continue
            text = text or self.frame("ScheduledTasksInfo", self.sim.tasks_json())
            self._enqueue(socket, text)
            socket.last_tasks_push = now

    def push_activity(self, entries: list[dict[str, Any]]) -> None:
        """ActivityLogEntry to subscribed sockets."""
        self.broadcast("ActivityLogEntry", entries, lambda s: s.activity_interval is not None)

    # -- connections --------------------------------------------------------------------------

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
        self.sockets.append(socket)
        self.connections += 1
        self.send(socket, "ForceKeepAlive", FORCE_KEEP_ALIVE_SECONDS)
        try:
            async for msg in ws:
                if self.sim.fault is not None and self.sim.fault.ws_stall:
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
                fault = self.sim.fault
                if socket.closed or ws.closed or (fault is not None and fault.ws_stall):
                    continue
                if isinstance(payload, bytes):
                    await ws.send_bytes(payload)
                else:
                    await ws.send_str(payload)
                self.frames_sent += 1
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
        if message_type == "KeepAlive":
            self.send(socket, "KeepAlive")
        elif message_type == "SessionsStart":
            delay, interval = parse_start(data)
            socket.sessions_interval = interval
            self._later(delay, lambda: self._initial_sessions(socket))
        elif message_type == "SessionsStop":
            socket.sessions_interval = None
        elif message_type == "ScheduledTasksInfoStart":
            delay, interval = parse_start(data)
            socket.tasks_interval = interval
            self._later(delay, lambda: self._initial_tasks(socket))
        elif message_type == "ScheduledTasksInfoStop":
            socket.tasks_interval = None
        elif message_type == "ActivityLogEntryStart":
            socket.activity_interval = parse_start(data)[1]
        elif message_type == "ActivityLogEntryStop":
            socket.activity_interval = None
        # Anything else (Identity, Context, unknown types) is ignored, as Emby does.

    def _later(self, delay: float, callback: Callable[[], None]) -> None:
        loop = asyncio.get_running_loop()
        if delay <= 0:
            loop.call_soon(callback)
        else:
            loop.call_later(delay, callback)

    def _initial_sessions(self, socket: Socket) -> None:
        if socket.closed or socket.sessions_interval is None:
            return
        self.send(socket, "Sessions", self.sim.sessions_json())
        socket.last_sessions_push = self.sim.clock.seconds
        self.sessions_pushes += 1

    def _initial_tasks(self, socket: Socket) -> None:
        if socket.closed or socket.tasks_interval is None:
            return
        self.send(socket, "ScheduledTasksInfo", self.sim.tasks_json())
        socket.last_tasks_push = self.sim.clock.seconds

    async def _close_socket(self, socket: Socket) -> None:
        if socket in self.sockets:
            self.sockets.remove(socket)
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
                self.sim.session_manager.end_api_session(session.device_id)

    async def close_all(self, message_type: str | None = None, code: int = 1001) -> None:
        """Close every socket, after sending `message_type` (e.g. ServerRestarting) if given."""
        sockets = list(self.sockets)
        if message_type is not None:
            for socket in sockets:
                self.send(socket, message_type)
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
            for s in list(self.sockets)
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
