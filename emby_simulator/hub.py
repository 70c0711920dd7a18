"""The connected WebSockets and what each receives: frames, pushes, user-scoped routing.

Frames are `{"MessageType": ..., "Data": ..., "MessageId": ...}` (Data left out when a message
has none). State changes only enqueue here: each socket's writer (`websocket.py`) drains its
queue, so REST handlers and `advance` never wait on a socket.

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
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from .clients import Session
from .clock import Clock, hex_id
from .faults import FaultState
from .malformed import MALFORMED_FRAMES

if TYPE_CHECKING:
    from aiohttp import web


class _Missing:
    """Marker: a frame without a Data key."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()

JsonList = Callable[[], list[dict[str, Any]]]


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


class WebSocketHub:
    """Every socket of the server and the frames queued to them."""

    def __init__(
        self,
        *,
        server_id: str,
        api_key_user_events: str,
        clock: Clock,
        faults: FaultState,
        session_of_device: Callable[[str], Session | None],
        sessions_json: JsonList,
        tasks_json: JsonList,
    ) -> None:
        """Bind to what frames are made of (the server's id, clock, sessions and tasks)."""
        self._server_id = server_id
        self._api_key_user_events = api_key_user_events
        self._clock = clock
        self._faults = faults
        self._session_of_device = session_of_device
        self._sessions_json = sessions_json
        self._tasks_json = tasks_json
        self.sockets: list[Socket] = []
        self.connections = 0
        self.sessions_pushes = 0
        self.frames_sent = 0
        # Called once, just before the next frame is written to a socket, then cleared (the
        # benchmarks stamp a frame there: its encoding and queueing are the server's time).
        self.before_next_send: Callable[[], None] | None = None
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
        body["MessageId"] = hex_id(self._server_id, "message", self._message_counter)
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False)

    def enqueue(self, socket: Socket, payload: str | bytes) -> None:
        """Queue a payload (with an odd frame before it while `ws_malformed` is set)."""
        if socket.closed:
            return
        if self._faults.ws_malformed and isinstance(payload, str):
            odd = MALFORMED_FRAMES[socket.malformed_next % len(MALFORMED_FRAMES)]
            socket.malformed_next += 1
            socket.queue.put_nowait(odd)
        socket.queue.put_nowait(payload)

    def send(self, socket: Socket, message_type: str, data: Any = MISSING) -> None:
        """Queue one frame to one socket."""
        self.enqueue(socket, self.frame(message_type, data))

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
            self.enqueue(socket, text)
            count += 1
        return count

    def broadcast_to_user(self, message_type: str, data: Any, user_id: str | None) -> int:
        """A user-scoped frame (user_id None: LibraryChanged-like, for every user's socket)."""
        return self.broadcast(message_type, data, lambda s: self.receives_user_events(s, user_id))

    def send_raw(self, payload: str | bytes) -> None:
        """Queue a raw payload (text or binary) to every socket."""
        for socket in self.sockets:
            if not socket.closed:
                socket.queue.put_nowait(payload)

    def ping_all(self) -> None:
        """A Ping frame to every socket (starts the odd frames of `ws_malformed` at once)."""
        for socket in self.sockets:
            self.enqueue(socket, self.frame("Ping"))

    # -- user-scoped routing (EMBY.md 4.6, see the module docstring) --------------------------

    def receives_user_events(self, socket: Socket, user_id: str | None) -> bool:
        """Whether LibraryChanged (user_id None) / UserDataChanged of `user_id` reach a socket."""
        if socket.user_id is not None:
            return user_id is None or socket.user_id == user_id
        mode = self._api_key_user_events
        if mode == "always":
            return True
        if mode == "never":
            return False
        session = socket.session
        return (
            session is not None
            and session.capabilities_registered
            and (self._session_of_device(session.device_id) is session)
        )

    # -- pushes -------------------------------------------------------------------------------

    @property
    def batching(self) -> bool:
        """Whether pushes are held for the end of a batch (inside `advance`)."""
        return self._batch_depth > 0

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Within the block, Sessions pushes are collected and sent once at the end."""
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

    def push_sessions(self, *, force: bool) -> int:
        """Sessions to subscribed sockets: forced (state change) or throttled by their interval
        (progress); returns how many sockets got one."""
        if self._batch_depth:
            if force:
                self._batched_sessions_force = True
            else:
                self._batched_sessions_due = True
            return 0
        now = self._clock.seconds
        text: str | None = None
        count = 0
        for socket in self.sockets:
            interval = socket.sessions_interval
            if socket.closed or interval is None:
                continue
            if not force and now - socket.last_sessions_push < interval:
                continue
            text = text or self.frame("Sessions", self._sessions_json())
            self.enqueue(socket, text)
            socket.last_sessions_push = now
            count += 1
        self.sessions_pushes += count
        return count

    def flood_sessions(self, n: int) -> None:
        """`n` Sessions frames back to back to every socket."""
        for socket in list(self.sockets):
            for _ in range(n):
                self.send(socket, "Sessions", self._sessions_json())
        self.sessions_pushes += n * len(self.sockets)

    def push_tasks(self, *, force: bool) -> None:
        """ScheduledTasksInfo to subscribed sockets."""
        now = self._clock.seconds
        text: str | None = None
        for socket in self.sockets:
            interval = socket.tasks_interval
            if socket.closed or interval is None:
                continue
            if not force and now - socket.last_tasks_push < interval:
                continue
            text = text or self.frame("ScheduledTasksInfo", self._tasks_json())
            self.enqueue(socket, text)
            socket.last_tasks_push = now

    def push_activity(self, entries: list[dict[str, Any]]) -> None:
        """ActivityLogEntry to subscribed sockets."""
        self.broadcast("ActivityLogEntry", entries, lambda s: s.activity_interval is not None)

    def initial_sessions(self, socket: Socket) -> None:
        """The first Sessions frame after `SessionsStart` (and its delay)."""
        if socket.closed or socket.sessions_interval is None:
            return
        self.send(socket, "Sessions", self._sessions_json())
        socket.last_sessions_push = self._clock.seconds
        self.sessions_pushes += 1

    def initial_tasks(self, socket: Socket) -> None:
        """The first ScheduledTasksInfo frame after `ScheduledTasksInfoStart`."""
        if socket.closed or socket.tasks_interval is None:
            return
        self.send(socket, "ScheduledTasksInfo", self._tasks_json())
        socket.last_tasks_push = self._clock.seconds
